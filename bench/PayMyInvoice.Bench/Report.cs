using System.Globalization;
using System.Text;
using System.Text.Json;
using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Bench;

/// <summary>Turns the measurements into <c>results.json</c>, <c>results.md</c> and the targets of issue 8.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static FunctionResult Row(BenchSubject subject, bool packaged, int memory, List<ColdRun> cold, WarmSession warm)
    {
        var init = cold.Select(c => c.InitMs).ToList();
        var total = cold.Select(c => c.TotalMs).ToList();
        var answers = new Dictionary<string, int>(warm.Answers, StringComparer.Ordinal);
        foreach (var run in cold)
        {
            answers[run.Answer] = answers.GetValueOrDefault(run.Answer) + 1;
        }

        return new FunctionResult(
            subject.Function,
            subject.Build,
            packaged,
            memory,
            new P50P90(Stats.Percentile(init, 50), Stats.Percentile(init, 90)),
            new P50P90(Stats.Percentile(total, 50), Stats.Percentile(total, 90)),
            Stats.Of(warm.DurationsMs),
            warm.PingDurationsUs.Count == 0 ? null : new P50P90(Stats.Percentile(warm.PingDurationsUs, 50), Stats.Percentile(warm.PingDurationsUs, 90)),
            warm.CpuMsPerInvoke,
            Stats.Percentile(cold.Select(c => c.PeakRssMiB).ToList(), 50),
            warm.PeakRssMiB,
            subject.ZipBytes,
            cold.Count,
            warm.DurationsMs.Count,
            answers);
    }

    public static BenchResults Assemble(string root, bool quick, ServerlessConfig config, IReadOnlyList<FunctionResult> functions, IReadOnlyList<FunctionResult> floors, Quantiles bareGetItemUs, IReadOnlyList<ThroughputResult> throughput)
    {
        var (cost, advice) = CostSection.Estimate(config, functions);
        return new BenchResults(
            Machine.Describe(),
            Machine.Commit(root),
            DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            quick,
            functions,
            floors,
            bareGetItemUs,
            Targets(functions, floors, bareGetItemUs),
            throughput,
            cost,
            advice);
    }

    /// <summary>Issue 8's targets, each a ratio of two figures from this same run.</summary>
    public static List<TargetResult> Targets(IReadOnlyList<FunctionResult> functions, IReadOnlyList<FunctionResult> floors, Quantiles bareGetItemUs)
    {
        var targets = new List<TargetResult>();
        var getInvoice = functions.FirstOrDefault(f => f is { Function: "getInvoice", Build: "aot" });
        var hello = floors.FirstOrDefault(f => f is { Function: "hello", Build: "aot" });
        if (getInvoice?.WarmUpPingUs is not null && hello is not null)
        {
            var cold = getInvoice.ColdTotalMs.P50 / hello.ColdTotalMs.P50;
            targets.Add(new TargetResult("getInvoice AOT cold total ÷ AOT hello cold total", cold, "≤ 2", cold <= 2,
                $"{getInvoice.ColdTotalMs.P50:0.0} ms ÷ {hello.ColdTotalMs.P50:0.0} ms"));
            var overhead = getInvoice.WarmUpPingUs.P50 - hello.WarmMs.P50 * 1000;
            targets.Add(new TargetResult("host overhead: warm-up ping p50 − hello p50 (µs)", overhead, "< 50", overhead < 50,
                $"{getInvoice.WarmUpPingUs.P50:0} µs − {hello.WarmMs.P50 * 1000:0} µs"));
            var warm = getInvoice.WarmMs.P50 * 1000 / (bareGetItemUs.P50 + hello.WarmMs.P50 * 1000);
            targets.Add(new TargetResult("getInvoice AOT warm p50 ÷ (bare GetItem p50 + hello p50)", warm, "≤ 1.5", warm <= 1.5,
                $"{getInvoice.WarmMs.P50 * 1000:0} µs ÷ ({bareGetItemUs.P50:0} + {hello.WarmMs.P50 * 1000:0}) µs"));
        }

        foreach (var r2r in functions.Where(f => f.Build == "r2r"))
        {
            if (functions.FirstOrDefault(f => f.Function == r2r.Function && f.Build == "jit") is { } jit)
            {
                var ratio = r2r.ColdTotalMs.P50 / jit.ColdTotalMs.P50;
                targets.Add(new TargetResult($"{r2r.Function} ReadyToRun cold total ÷ JIT", ratio, "≤ 0.6", ratio <= 0.6,
                    $"{r2r.ColdTotalMs.P50:0} ms ÷ {jit.ColdTotalMs.P50:0} ms"));
            }
        }

        var aot = functions.Where(f => f.Build == "aot").ToList();
        if (aot.Count > 0)
        {
            var rss = aot.MaxBy(f => f.PeakRssMiB)!;
            targets.Add(new TargetResult("largest AOT peak RSS after the warm calls (MiB)", rss.PeakRssMiB, "< 20", rss.PeakRssMiB < 20, rss.Function));
            var zip = aot.MaxBy(f => f.ZipBytes)!;
            var mb = zip.ZipBytes / 1_000_000.0;
            targets.Add(new TargetResult("largest AOT zip (MB)", mb, "< 10", mb < 10, zip.Function));
        }

        return targets;
    }

    public static async Task WriteAsync(string directory, BenchResults results, BenchPlan plan)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "results.json"), JsonSerializer.Serialize(results, Json)).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "results.md"), Markdown(results, plan)).ConfigureAwait(false);
    }

    public static string Markdown(BenchResults results, BenchPlan plan)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Commit `{results.Commit}`, {results.Date}, `scripts/bench.sh{(results.Quick ? " --quick" : "")}`: {plan.ColdRuns} interleaved cold starts and {plan.WarmInvocations} warm calls per build.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {results.Machine["cpu"]}, {results.Machine["cores"]} cores, {results.Machine["memory"]}; {results.Machine["dotnet"]}, Node {results.Machine["node"]}.");
        md.AppendLine();
        md.AppendLine("| function | build | MB | cold init p50 / p90 ms | cold total p50 / p90 ms | warm p50 / p90 / p99 ms | ping p50 µs | CPU ms/call | RSS cold / warm MiB | zip MB | answers |");
        md.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|");
        foreach (var row in results.Functions.Concat(results.Floors))
        {
            var answers = string.Join(", ", row.Answers.OrderByDescending(a => a.Value).Select(a => $"{a.Key} ×{a.Value}"));
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Function} | {row.Build}{(row.Packaged ? " (shipped)" : "")} | {row.MemorySize} | {row.ColdInitMs.P50:0.0} / {row.ColdInitMs.P90:0.0} | {row.ColdTotalMs.P50:0.0} / {row.ColdTotalMs.P90:0.0} | {row.WarmMs.P50:0.00} / {row.WarmMs.P90:0.00} / {row.WarmMs.P99:0.00} | {row.WarmUpPingUs?.P50:0} | {row.CpuMsPerInvoke:0.00} | {row.ColdPeakRssMiB:0.0} / {row.PeakRssMiB:0.0} | {row.ZipBytes / 1_000_000.0:0.00} | {answers} |");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Bare Native AOT GetItem loop on DynamoDB Local: p50 {results.BareGetItemUs.P50:0} µs, p90 {results.BareGetItemUs.P90:0} µs, p99 {results.BareGetItemUs.P99:0} µs.");
        if (results.Floors.FirstOrDefault(f => f.Function == "getitem") is { } getItem
            && results.Functions.FirstOrDefault(f => f is { Function: "getInvoice", Build: "aot" }) is { } getInvoice)
        {
            // What is ours: getInvoice against the same read with nothing of ours around it.
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"getInvoice (AOT) against the getitem floor (the hello loop doing the same GetItem with the same client, none of our host, handler, logging or JSON): cold total {getInvoice.ColdTotalMs.P50:0.0} ÷ {getItem.ColdTotalMs.P50:0.0} ms = {getInvoice.ColdTotalMs.P50 / getItem.ColdTotalMs.P50:0.00}×; peak RSS after the warm calls {getInvoice.PeakRssMiB:0.0} − {getItem.PeakRssMiB:0.0} = {getInvoice.PeakRssMiB - getItem.PeakRssMiB:0.0} MiB.");
        }
        md.AppendLine();
        md.AppendLine("| target | measured | goal | met | from |");
        md.AppendLine("|---|--:|--:|---|---|");
        foreach (var target in results.Targets)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {target.Name} | {target.Value:0.00} | {target.Target} | {(target.Met ? "yes" : "**no**")} | {target.Detail} |");
        }

        if (results.Throughput.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("| throughput | build | batch | items | items/s | batch p50 ms | failed |");
            md.AppendLine("|---|---|--:|--:|--:|--:|--:|");
            foreach (var row in results.Throughput)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Function} | {row.Build} | {row.BatchSize} | {row.Items} | {row.ItemsPerSecond:0.0} | {row.BatchP50Ms:0.00} | {row.FailedItems} |");
            }
        }

        md.Append(CostSection.Markdown(results));
        return md.ToString();
    }
}
