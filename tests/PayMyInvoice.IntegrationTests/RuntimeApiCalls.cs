using System.Diagnostics;
using System.Text;
using PayMyInvoice.Local.RuntimeApi;

namespace PayMyInvoice.IntegrationTests;

/// <summary>How tests drive a function process through the local Runtime API: JSON text in, and the process started as Lambda starts it.</summary>
public static class RuntimeApiCalls
{
    /// <summary>
    /// One event with a 30 s function timeout by default; fails after a minute if the function never takes it (a process
    /// that died), rather than hanging the run.
    /// </summary>
    public static async Task<InvocationResult> InvokeAsync(this LocalRuntimeApi runtime, string json, TimeSpan? timeout = null, string? traceId = null, string? clientContext = null)
    {
        using var handOut = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return await runtime.InvokeAsync(Encoding.UTF8.GetBytes(json), timeout ?? TimeSpan.FromSeconds(30), traceId, clientContext, cancellationToken: handOut.Token);
    }

    /// <summary>Starts a deployable the way the managed runtime does (dotnet exec), with only Lambda's environment.</summary>
    public static Process StartExecutable(string assembly, string runtimeApi, IReadOnlyDictionary<string, string> environment, params (string Name, string Value)[] more)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, assembly)])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Only what Lambda would set: nothing this test process happens to carry.
        start.Environment.Clear();
        foreach (var name in new[] { "PATH", "HOME", "DOTNET_ROOT", "DOTNET_CLI_HOME" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        start.Environment["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;
        start.Environment["AWS_REGION"] = "us-east-1";
        start.Environment["AWS_ACCESS_KEY_ID"] = "local";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "local";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        foreach (var (name, value) in more)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
