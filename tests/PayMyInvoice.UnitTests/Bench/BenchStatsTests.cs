using PayMyInvoice.Bench;

namespace PayMyInvoice.UnitTests.Bench;

public sealed class BenchStatsTests
{
    [Fact]
    public void Percentiles_are_nearest_rank_over_the_sorted_sample()
    {
        var sample = Enumerable.Range(1, 100).Select(i => (double)(101 - i)).ToList(); // 100 … 1, unsorted

        Assert.Equal(new Quantiles(50, 90, 99), Stats.Of(sample));
        Assert.Equal(1, Stats.Percentile(sample, 0));
        Assert.Equal(100, Stats.Percentile(sample, 100));
    }

    [Fact]
    public void A_small_sample_rounds_the_rank_up_and_an_empty_one_has_no_percentile()
    {
        Assert.Equal(2, Stats.Percentile([3, 1, 2], 50)); // rank ⌈0.5 × 3⌉ = 2
        Assert.Equal(3, Stats.Percentile([3, 1, 2], 90)); // rank ⌈2.7⌉ = 3
        Assert.True(double.IsNaN(Stats.Percentile([], 50)));
    }
}
