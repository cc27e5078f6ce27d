using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Bench;

/// <summary>The cost model's inputs from this run and its rendering (the model itself is in Cost/).</summary>
internal static class CostSection
{
    public static (object Cost, object Advice) Estimate(ServerlessConfig config, IReadOnlyList<FunctionResult> functions) => (Array.Empty<object>(), Array.Empty<object>());

    public static string Markdown(BenchResults results) => "";
}
