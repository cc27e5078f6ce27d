using PayMyInvoice.Local.EventSources;

namespace PayMyInvoice.UnitTests;

/// <summary>EventBridge schedule expressions as the local stack fires them (UTC).</summary>
public sealed class ScheduleExpressionTests
{
    private static readonly DateTimeOffset Saturday = new(2026, 11, 28, 7, 59, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("cron(0 8 * * ? *)", "2026-11-28T07:59:00Z", "2026-11-28T08:00:00Z")]
    [InlineData("cron(0 8 * * ? *)", "2026-11-28T08:00:00Z", "2026-11-29T08:00:00Z")]
    [InlineData("cron(0/15 * * * ? *)", "2026-11-28T07:59:00Z", "2026-11-28T08:00:00Z")]
    [InlineData("cron(0 9 ? * 2 *)", "2026-11-28T07:59:00Z", "2026-11-30T09:00:00Z")] // AWS numbers Monday 2
    [InlineData("cron(0 9 ? * MON-FRI *)", "2026-11-28T07:59:00Z", "2026-11-30T09:00:00Z")]
    [InlineData("cron(30 6 1 * ? *)", "2026-11-28T07:59:00Z", "2026-12-01T06:30:00Z")]
    public void A_cron_schedule_fires_at_its_next_UTC_time(string expression, string after, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), ScheduleExpression.Parse(expression).Next(DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture), Saturday));

    [Fact]
    public void A_rate_counts_from_when_the_rule_was_created()
    {
        var every15 = ScheduleExpression.Parse("rate(15 minutes)");
        Assert.Equal(Saturday.AddMinutes(15), every15.Next(Saturday, Saturday));
        Assert.Equal(Saturday.AddMinutes(30), every15.Next(Saturday.AddMinutes(15), Saturday));
        Assert.Equal(Saturday.AddDays(1), ScheduleExpression.Parse("rate(1 day)").Next(Saturday.AddHours(3), Saturday));
    }

    [Theory]
    [InlineData("every 5 minutes")]
    [InlineData("rate(0 minutes)")]
    [InlineData("rate(5 weeks)")]
    [InlineData("cron(0 8 * * ?)")]
    [InlineData("cron(0 8 * * ? 2027)")]
    public void An_expression_the_local_stack_cannot_run_says_so(string expression) =>
        Assert.Throws<FormatException>(() => ScheduleExpression.Parse(expression));
}
