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
        var variables = new Dictionary<string, string>
        {
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = "local",
            ["AWS_SECRET_ACCESS_KEY"] = "local",
        };
        foreach (var (name, value) in environment.Concat(more.Select(m => KeyValuePair.Create(m.Name, m.Value))))
        {
            variables[name] = value;
        }

        var process = Process.Start(LambdaProcess.StartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, assembly)], runtimeApi, variables))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
