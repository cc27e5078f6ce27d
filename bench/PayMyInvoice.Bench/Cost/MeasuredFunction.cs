namespace PayMyInvoice.Bench.Cost;

/// <summary>
/// What the bench measured for one function, as the build it ships as (Native AOT or managed ReadyToRun): warm p50 wall
/// ms, mean CPU ms per warm invocation (NaN when unknown), cold INIT ms p50, cold total (INIT + first invocation) ms
/// p50, warm-up ping p50 µs, and peak RSS MiB after 1,000 calls. Measured locally on about a full core.
/// </summary>
public sealed record MeasuredFunction(string Function, double WarmP50Ms, double CpuMsPerInvoke, double ColdInitMs, double ColdTotalMs, double WarmUpPingUs, double PeakRssMiB);
