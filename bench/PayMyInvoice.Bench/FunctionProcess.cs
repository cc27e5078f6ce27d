using System.Diagnostics;
using System.Globalization;
using PayMyInvoice.Local.RuntimeApi;

namespace PayMyInvoice.Bench;

/// <summary>
/// One execution environment: a function process started as Lambda starts it (only Lambda's variables, pointed at
/// its own <see cref="LocalRuntimeApi"/>), killed on disposal as Lambda freezes and discards it.
/// </summary>
public sealed class FunctionProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly LocalRuntimeApi _runtime;
    private readonly Queue<string> _lastLines = new();

    private FunctionProcess(Process process, LocalRuntimeApi runtime, long startedAt)
    {
        _process = process;
        _runtime = runtime;
        StartedAt = startedAt;
    }

    /// <summary>The <see cref="Stopwatch.GetTimestamp"/> taken just before the spawn.</summary>
    public long StartedAt { get; }

    public LocalRuntimeApi Runtime => _runtime;

    public static async Task<FunctionProcess> StartAsync(string functionName, (string FileName, string[] Arguments) command, IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var runtime = await LocalRuntimeApi.StartAsync(functionName).ConfigureAwait(false);
        var start = LambdaProcess.StartInfo(command.FileName, command.Arguments, runtime.Address, variables);
        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{command.FileName} did not start");
        var started = new FunctionProcess(process, runtime, startedAt);
        process.OutputDataReceived += (_, line) => started.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => started.Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Spawn → the first <c>next</c>: the init duration; fails at once if the process exits first.</summary>
    public async Task<TimeSpan> InitAsync()
    {
        var init = _runtime.FirstNextAsync(StartedAt);
        if (await Task.WhenAny(init, _process.WaitForExitAsync()).ConfigureAwait(false) != init)
        {
            throw new InvalidOperationException($"the function process exited ({_process.ExitCode}) during init; its last output:\n{LastOutput}");
        }

        return await init.ConfigureAwait(false);
    }

    /// <summary>One event, bounded by the function's timeout; fails at once if the process exits instead of answering.</summary>
    public async Task<InvocationResult> InvokeAsync(byte[] payload, TimeSpan timeout, string? clientContext = null)
    {
        using var handOut = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var invocation = _runtime.InvokeAsync(payload, timeout, clientContext: clientContext, cancellationToken: handOut.Token);
        var exited = _process.WaitForExitAsync(handOut.Token);
        if (await Task.WhenAny(invocation, exited).ConfigureAwait(false) == invocation)
        {
            return await invocation.ConfigureAwait(false);
        }

        await handOut.CancelAsync().ConfigureAwait(false);
        throw new InvalidOperationException(exited.IsCompletedSuccessfully
            ? $"the function process exited ({_process.ExitCode}) without answering; its last output:\n{LastOutput}"
            : $"the function never took the event; its last output:\n{LastOutput}");
    }

    /// <summary>Peak resident set size so far (VmHWM), MiB.</summary>
    public double PeakRssMiB()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return double.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
            }
        }

        return double.NaN;
    }

    /// <summary>User + system CPU time the process has used.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public string LastOutput
    {
        get
        {
            lock (_lastLines)
            {
                return string.Join('\n', _lastLines);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
        await _runtime.DisposeAsync().ConfigureAwait(false);
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            while (_lastLines.Count > 20)
            {
                _lastLines.Dequeue();
            }
        }
    }
}
