namespace PayMyInvoice.Bench;

/// <summary>Nearest-rank percentiles over one sample.</summary>
public static class Stats
{
    public static double Percentile(IReadOnlyList<double> values, double percent)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static Quantiles Of(IReadOnlyList<double> values) =>
        new(Percentile(values, 50), Percentile(values, 90), Percentile(values, 99));
}

/// <summary>p50, p90 and p99 of one sample, in the unit it was taken in.</summary>
public sealed record Quantiles(double P50, double P90, double P99);
