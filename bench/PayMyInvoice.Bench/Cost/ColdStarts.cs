namespace PayMyInvoice.Bench.Cost;

/// <summary>
/// How many cold starts a function has in a month. AWS publishes neither figure below; both are commonly observed:
/// an execution environment idle for about <see cref="IdleTimeoutMinutes"/> is reclaimed, and even a busy one is
/// replaced every few hours (<see cref="EnvironmentLifetimeHours"/>).
/// </summary>
public static class ColdStarts
{
    public const double IdleTimeoutMinutes = 7;

    public const double EnvironmentLifetimeHours = 2;

    /// <summary>Lambda's duration at or above this much memory gets a full vCPU (AWS: 1,769 MB = 1 vCPU).</summary>
    public const double FullVcpuMb = 1769;

    /// <summary>
    /// Cold starts a month. Unwarmed: an invocation is cold when nothing ran in the idle timeout before it (Poisson
    /// arrivals: e^(−rate·timeout); a schedule: always when its period is longer), and the environments the peak needs are
    /// recycled. Warmed (<paramref name="warmedEnvironments"/> pinged more often than the idle timeout): no idle cold
    /// starts, only recycles, of at least the pinged environments; a ping takes them, at the same cost.
    /// </summary>
    public static double PerMonth(double invocations, double durationMs, TimeSpan? schedulePeriod, int warmedEnvironments)
    {
        var recycles = Prices.HoursPerMonth / EnvironmentLifetimeHours;
        var rate = invocations / Traffic.SecondsPerMonth;
        var concurrency = Math.Max(1, rate * Traffic.PeakToMean * durationMs / 1000);
        if (warmedEnvironments > 0)
        {
            return Math.Max(concurrency, warmedEnvironments) * recycles;
        }

        if (invocations <= 0)
        {
            return 0;
        }

        var idleTimeout = TimeSpan.FromMinutes(IdleTimeoutMinutes);
        var coldShare = schedulePeriod is { } period ? (period > idleTimeout ? 1 : 0) : Math.Exp(-rate * idleTimeout.TotalSeconds);
        return (invocations * coldShare) + Math.Min(invocations, concurrency * recycles) * (1 - coldShare);
    }

    /// <summary>
    /// How much longer work takes at <paramref name="memoryMb"/> than on a full core: Lambda gives CPU in proportion to
    /// memory, and the bench measured on about one full core.
    /// </summary>
    public static double CpuSlowdown(int memoryMb) => Math.Max(1, FullVcpuMb / memoryMb);

    /// <summary>A warm invocation's wall ms at this memory: the waiting stays, the CPU part stretches. Unknown CPU counts as all CPU (an upper bound).</summary>
    public static double WarmMs(MeasuredFunction measured, int memoryMb)
    {
        ArgumentNullException.ThrowIfNull(measured);
        var cpu = double.IsNaN(measured.CpuMsPerInvoke) ? measured.WarmP50Ms : Math.Min(measured.CpuMsPerInvoke, measured.WarmP50Ms);
        return measured.WarmP50Ms - cpu + (cpu * CpuSlowdown(memoryMb));
    }

    /// <summary>A cold invocation's wall ms (INIT + first call) at this memory, taken as CPU-bound (loading, JIT, first connections' TLS).</summary>
    public static double ColdMs(MeasuredFunction measured, int memoryMb)
    {
        ArgumentNullException.ThrowIfNull(measured);
        return measured.ColdTotalMs * CpuSlowdown(memoryMb);
    }
}
