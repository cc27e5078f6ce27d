using System.Globalization;
using System.Text;
using PayMyInvoice.Bench.Cost;
using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Bench;

/// <summary>Feeds the cost model (Cost/) with this run's figures for the builds that ship, and renders its answer.</summary>
internal static class CostSection
{
    public static (IReadOnlyList<CostRow> Cost, IReadOnlyList<MemoryAdvice> Advice) Estimate(ServerlessConfig config, IReadOnlyList<FunctionResult> functions)
    {
        var measured = functions.Where(f => f.Packaged).ToDictionary(
            f => f.Function,
            f => new MeasuredFunction(f.Function, f.WarmMs.P50, f.CpuMsPerInvoke, f.ColdInitMs.P50, f.ColdTotalMs.P50, f.WarmUpPingUs?.P50 ?? double.NaN, f.PeakRssMiB),
            StringComparer.Ordinal);
        return (CostModel.Estimate(config, measured), CostModel.AdviseMemory(config, measured));
    }

    public static string Markdown(BenchResults results)
    {
        var md = new StringBuilder();
        md.AppendLine();
        md.AppendLine("What a month costs (us-east-1 on-demand prices, free tiers ignored; bench/PayMyInvoice.Bench/Cost/Prices.cs cites each):");
        md.AppendLine();
        md.Append(CostModel.ToMarkdown(results.Cost));
        md.AppendLine();
        md.AppendLine(CostModel.TrafficModel);
        md.AppendLine();
        md.AppendLine("| memory | configured MB | suggested MB | why |");
        md.AppendLine("|---|--:|--:|---|");
        foreach (var advice in results.MemoryAdvice)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {advice.Function} | {advice.ConfiguredMb} | {advice.SuggestedMb} | {advice.Reason} |");
        }

        return md.ToString();
    }
}
