using System.Text;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.UnitTests;

public sealed class WarmUpTests
{
    private const string Source = "serverless-plugin-warmup";

    [Theory]
    [InlineData("""{"source":"serverless-plugin-warmup"}""", true)]
    [InlineData("""{"other":{"source":"x"},"source":"serverless-plugin-warmup"}""", true)]
    [InlineData("""{"source":"aws.events","detail-type":"Scheduled Event"}""", false)]
    [InlineData("""{"body":"{\"source\":\"serverless-plugin-warmup\"}"}""", false)]
    [InlineData("""{"source":1}""", false)]
    [InlineData("""["serverless-plugin-warmup"]""", false)]
    [InlineData("not json", false)]
    [InlineData("", false)]
    public void Only_a_top_level_warm_up_source_is_a_warm_up(string payload, bool expected) =>
        Assert.Equal(expected, WarmUp.IsWarmUp(Encoding.UTF8.GetBytes(payload), null, Source));

    [Fact]
    public void The_warmer_client_context_marks_a_warm_up_too() =>
        Assert.True(WarmUp.IsWarmUp("{}"u8, """{"custom":{"source":"serverless-plugin-warmup"}}""", Source));

    [Fact]
    public void A_configured_source_replaces_the_default()
    {
        Assert.True(WarmUp.IsWarmUp("""{"source":"my-warmer"}"""u8, null, "my-warmer"));
        Assert.False(WarmUp.IsWarmUp("""{"source":"serverless-plugin-warmup"}"""u8, null, "my-warmer"));
    }
}
