namespace PayMyInvoice.Bench;

/// <summary>p50 and p90, in milliseconds (or the unit the name says).</summary>
public sealed record P50P90(double P50, double P90);

/// <summary>One row of <c>results.json</c>'s <c>functions</c> (or <c>floors</c>): a function in one build.</summary>
public sealed record FunctionResult(
    string Function,
    string Build,
    bool Packaged,
    int MemorySize,
    P50P90 ColdInitMs,
    P50P90 ColdTotalMs,
    Quantiles WarmMs,
    P50P90? WarmUpPingUs,
    double CpuMsPerInvoke,
    double ColdPeakRssMiB,
    double PeakRssMiB,
    long ZipBytes,
    int ColdRuns,
    int WarmInvocations,
    IReadOnlyDictionary<string, int> Answers);

/// <summary>One target of issue 8, as measured in this run.</summary>
public sealed record TargetResult(string Name, double Value, string Target, bool Met, string Detail);

/// <summary>Everything one run measured: <c>artifacts/bench/results.json</c>.</summary>
public sealed record BenchResults(
    IReadOnlyDictionary<string, string> Machine,
    string Commit,
    string Date,
    bool Quick,
    IReadOnlyList<FunctionResult> Functions,
    IReadOnlyList<FunctionResult> Floors,
    Quantiles BareGetItemUs,
    IReadOnlyList<TargetResult> Targets,
    IReadOnlyList<ThroughputResult> Throughput,
    IReadOnlyList<Cost.CostRow> Cost,
    IReadOnlyList<Cost.MemoryAdvice> MemoryAdvice);
