using System.Globalization;
using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Bench.Cost;

/// <summary>
/// Picks each function's memory from its measured figures: the cheapest of <see cref="Sizes"/> per warm invocation
/// (GB-s at the modelled duration + the request) that (1) keeps peak RSS at most <see cref="RssShare"/> of the memory
/// (the .NET GC sizes its heap from the container's limit; the rest is the runtime, Lambda's agent and a larger payload
/// than the bench's), (2) stretches the warm duration by at most <see cref="SlowerShare"/> or <see cref="SlowerMs"/> over a
/// full vCPU, and (3) for an HTTP function, keeps the modelled cold start under <see cref="ColdLimitMs"/>, which is what a
/// person waiting on the page notices.
/// </summary>
internal static class MemoryAdvisor
{
    public static readonly int[] Sizes = [128, 256, 512, 1024];

    public const double RssShare = 0.5;

    public const double SlowerShare = 0.2;

    public const double SlowerMs = 10;

    public const double ColdLimitMs = 1500;

    public static MemoryAdvice Advise(ServerlessConfig config, string name, MeasuredFunction measured)
    {
        var sizing = config.Function(name);
        var http = config.Function(name).HttpRoutes.Count > 0;
        // A schedule that runs less often than the idle timeout starts cold every run: price those runs cold.
        var alwaysCold = config.Function(name).Schedules is { Count: > 0 } schedules
            && Traffic.SecondsPerMonth / schedules.Sum(x => Workload.RunsPerMonth(x.Expression)) > ColdStarts.IdleTimeoutMinutes * 60;
        var fullCore = ColdStarts.WarmMs(measured, (int)ColdStarts.FullVcpuMb);
        var limit = Math.Max(fullCore * (1 + SlowerShare), fullCore + SlowerMs);
        var minimumByRss = measured.PeakRssMiB / RssShare;

        var roomy = Sizes.Where(m => m >= minimumByRss).ToList();
        if (roomy.Count == 0)
        {
            var size = (int)(Math.Ceiling(minimumByRss / 64) * 64);
            return new MemoryAdvice(name, sizing.MemorySize, size, Invariant(
                $"Peak RSS {measured.PeakRssMiB:0} MiB needs at least {minimumByRss:0} MB to stay at {RssShare:P0} of memory, above every size tried; {size} MB is the smallest that fits."));
        }

        var fast = roomy.Where(m => ColdStarts.WarmMs(measured, m) <= limit && (!http || ColdStarts.ColdMs(measured, m) <= ColdLimitMs)).ToList();
        var pick = fast.Count > 0
            ? fast.OrderBy(m => PerMillion(measured, m, sizing.Architecture, alwaysCold)).ThenBy(m => m).First()
            : roomy.Max();
        var why = fast.Count > 0 ? "the cheapest size that fits" : "no size tried is fast enough, so the largest";
        var cold = http ? Invariant($"; a cold start ~{ColdStarts.ColdMs(measured, pick):0} ms (limit {ColdLimitMs:0})") : "";
        return new MemoryAdvice(name, sizing.MemorySize, pick, Invariant(
            $"{why}: peak RSS {measured.PeakRssMiB:0} MiB needs ≥ {minimumByRss:0} MB; {Cpu(measured)} of {measured.WarmP50Ms:0.#} ms is CPU, so a warm call takes ~{ColdStarts.WarmMs(measured, pick):0.#} ms at {pick} MB ")
            + Invariant($"(limit {limit:0.#} ms; {fullCore:0.#} ms on a full vCPU){cold}; ${PerMillion(measured, pick, sizing.Architecture, alwaysCold):0.00} per million {(alwaysCold ? "runs (each a cold start)" : "calls")} vs ")
            + Invariant($"${PerMillion(measured, sizing.MemorySize, sizing.Architecture, alwaysCold):0.00} at the configured {sizing.MemorySize} MB."));
    }

    /// <summary>USD per million invocations (warm, or cold) at this memory: billed ms (rounded up) × GB + the request price.</summary>
    public static decimal PerMillion(MeasuredFunction measured, int memoryMb, string architecture, bool cold = false)
    {
        var ms = cold ? ColdStarts.ColdMs(measured, memoryMb) : ColdStarts.WarmMs(measured, memoryMb);
        var gbSeconds = Math.Ceiling(ms) / 1000 * memoryMb / 1024;
        var perGbSecond = string.Equals(architecture, "arm64", StringComparison.Ordinal) ? Prices.LambdaArmTier1PerGbSecond : Prices.LambdaX86Tier1PerGbSecond;
        return 1_000_000m * (Prices.LambdaPerRequest + ((decimal)gbSeconds * perGbSecond));
    }

    private static string Cpu(MeasuredFunction measured) =>
        double.IsNaN(measured.CpuMsPerInvoke) ? "all (CPU unknown)" : Invariant($"{measured.CpuMsPerInvoke:0.#} ms");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
