using System.Text.Json;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>
/// The reliability scenarios are tests first: <c>./test.sh</c> runs them small, as proofs. <c>scripts/reliability.sh</c>
/// runs the same tests larger (<c>PMI_RELIABILITY=quick|full</c>) and collects the figures each one records into
/// <c>PMI_RELIABILITY_OUT</c>, one JSON part per scenario, merged into <c>artifacts/reliability/results.json</c>.
/// </summary>
public static class ReliabilityRun
{
    public const string Category = "Reliability";

    /// <summary>"test" under ./test.sh, "quick" or "full" under scripts/reliability.sh.</summary>
    public static string Scale { get; } = Environment.GetEnvironmentVariable("PMI_RELIABILITY") switch
    {
        "full" => "full",
        "quick" => "quick",
        _ => "test",
    };

    /// <summary>A count (cases, invoices…) for the scale this run was started with.</summary>
    public static int Pick(int test, int quick, int full) => Scale switch
    {
        "full" => full,
        "quick" => quick,
        _ => test,
    };

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// Writes one scenario's figures, named <c>section.scenario</c> (sections: load, faults, hostile, access), when the
    /// run collects them. Record before asserting, so a failing scenario's figures still reach the report.
    /// </summary>
    public static void Record(string section, string scenario, object figures)
    {
        if (Environment.GetEnvironmentVariable("PMI_RELIABILITY_OUT") is not { Length: > 0 } directory)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, $"{section}.{scenario}.json"), JsonSerializer.Serialize(figures, Options));
    }
}
