using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PayMyInvoice.Bench;

/// <summary>What the numbers were measured on, and at which commit.</summary>
public static class Machine
{
    public static Dictionary<string, string> Describe() => new(StringComparer.Ordinal)
    {
        ["cpu"] = FirstValue("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        ["cores"] = Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["memory"] = FirstValue("/proc/meminfo", "MemTotal") ?? "?",
        ["os"] = RuntimeInformation.OSDescription,
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["node"] = Run("node", "--version") ?? "?",
    };

    /// <summary>The short commit, marked <c>-dirty</c> when the working tree differs from it.</summary>
    public static string Commit(string repositoryRoot)
    {
        var commit = Run("git", "-C", repositoryRoot, "rev-parse", "--short", "HEAD") ?? "unknown";
        return string.IsNullOrEmpty(Run("git", "-C", repositoryRoot, "status", "--porcelain", "--untracked-files=no")) ? commit : commit + "-dirty";
    }

    private static string? FirstValue(string file, string key) =>
        File.Exists(file)
            ? File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;

    private static string? Run(string fileName, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            var output = process!.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
