using System.Diagnostics;

namespace PayMyInvoice.Local.RuntimeApi;

/// <summary>How Lambda starts a runtime process: only the function's environment, pointed at its Runtime API.</summary>
public static class LambdaProcess
{
    /// <summary>
    /// A start with nothing of this process's environment but what finds the tools (PATH, HOME, DOTNET_ROOT), then
    /// <paramref name="variables"/> and <c>AWS_LAMBDA_RUNTIME_API</c>; output and errors redirected for the caller to read.
    /// </summary>
    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments, string runtimeApi, IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var start = new ProcessStartInfo(fileName, arguments)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Clear();
        foreach (var name in new[] { "PATH", "HOME", "DOTNET_ROOT", "DOTNET_CLI_HOME" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        start.Environment["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;
        return start;
    }
}
