using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.UnitTests;

public sealed class InvoiceLifecycleTests
{
    [Theory]
    [InlineData(InvoiceStatus.Draft, InvoiceStatus.Open, true)]
    [InlineData(InvoiceStatus.Open, InvoiceStatus.Processing, true)]
    [InlineData(InvoiceStatus.Processing, InvoiceStatus.Paid, true)]
    [InlineData(InvoiceStatus.Processing, InvoiceStatus.RequiresAction, true)]
    [InlineData(InvoiceStatus.Processing, InvoiceStatus.PaymentFailed, true)]
    [InlineData(InvoiceStatus.PaymentFailed, InvoiceStatus.Processing, true)]
    [InlineData(InvoiceStatus.PaymentFailed, InvoiceStatus.Void, true)]
    [InlineData(InvoiceStatus.Draft, InvoiceStatus.Void, true)]
    [InlineData(InvoiceStatus.Paid, InvoiceStatus.PaymentFailed, false)]
    [InlineData(InvoiceStatus.Paid, InvoiceStatus.Void, false)]
    [InlineData(InvoiceStatus.Void, InvoiceStatus.Open, false)]
    [InlineData(InvoiceStatus.Open, InvoiceStatus.Draft, false)]
    [InlineData(InvoiceStatus.Draft, InvoiceStatus.Paid, false)]
    [InlineData(InvoiceStatus.RequiresAction, InvoiceStatus.Paid, true)]
    [InlineData(InvoiceStatus.RequiresAction, InvoiceStatus.PaymentFailed, true)]
    [InlineData(InvoiceStatus.PaymentFailed, InvoiceStatus.Paid, true)]
    [InlineData(InvoiceStatus.RequiresAction, InvoiceStatus.Processing, true)] // paid again: billingWorker cancels the old intent first
    [InlineData(InvoiceStatus.RequiresAction, InvoiceStatus.Void, true)] // billingWorker cancels the intent on InvoiceVoided
    [InlineData(InvoiceStatus.RequiresAction, InvoiceStatus.Open, false)]
    [InlineData(InvoiceStatus.Processing, InvoiceStatus.Void, false)]
    [InlineData(InvoiceStatus.PaymentFailed, InvoiceStatus.RequiresAction, false)]
    public void Invoices_move_only_along_the_documented_transitions(InvoiceStatus from, InvoiceStatus to, bool allowed) =>
        Assert.Equal(allowed, InvoiceLifecycle.CanMove(from, to));

    [Fact]
    public void A_paid_invoice_can_be_neither_edited_nor_deleted()
    {
        Assert.False(InvoiceLifecycle.IsEditable(InvoiceStatus.Paid));
        Assert.False(InvoiceLifecycle.IsDeletable(InvoiceStatus.Paid));
    }

    [Fact]
    public void Status_names_round_trip() =>
        Assert.All(Enum.GetValues<InvoiceStatus>(), s => Assert.True(InvoiceStatusNames.TryParse(s.ToName(), out var back) && back == s));

    [Theory]
    [InlineData("2026-03-01", null, "2026-03-01", false)] // due today
    [InlineData("2026-03-01", null, "2026-03-02", true)] // day 1
    [InlineData("2026-03-01", "2026-03-02", "2026-03-02", false)] // already reminded today
    [InlineData("2026-03-01", "2026-03-02", "2026-03-07", false)] // day 6: next reminder on day 7
    [InlineData("2026-03-01", "2026-03-02", "2026-03-08", true)] // day 7
    [InlineData("2026-03-01", null, "2026-03-09", true)] // day 8, nothing sent yet: one reminder makes up
    [InlineData("2026-03-01", "2026-03-09", "2026-03-14", false)] // the day-7 reminder was made up on day 8
    [InlineData("2026-03-01", "2026-03-08", "2026-03-15", true)] // day 14
    [InlineData("2026-03-01", "2026-03-15", "2026-04-30", false)] // after day 14: never again
    public void Reminders_fall_on_the_configured_days_after_the_due_date(string due, string? lastNotice, string today, bool expected)
    {
        var overdue = new OverdueService(new InMemoryInvoiceStore(), OverdueService.DefaultReminderDays, TimeProvider.System);
        var invoice = new Invoice
        {
            InvoiceId = "inv_1",
            UserId = "owner",
            Details = new InvoiceDetails("payer@example.com", "Consulting", 50000, "EUR", DateOnly.Parse(due, System.Globalization.CultureInfo.InvariantCulture), [], null),
            Status = InvoiceStatus.Open,
            Version = 1,
            CreatedAt = DateTimeOffset.UnixEpoch,
            UpdatedAt = DateTimeOffset.UnixEpoch,
            LastOverdueNotice = lastNotice is null ? null : DateOnly.Parse(lastNotice, System.Globalization.CultureInfo.InvariantCulture),
        };
        Assert.Equal(expected, overdue.IsReminderDue(invoice, DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.False(overdue.IsReminderDue(invoice with { Status = InvoiceStatus.Paid }, DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData(null, new[] { 1, 7, 14 })]
    [InlineData("3, 1,3", new[] { 1, 3 })]
    public void Reminder_days_come_from_serverless_yml(string? setting, int[] days) =>
        Assert.Equal(days, OverdueService.ParseReminderDays(setting));

    [Fact]
    public void Reminder_days_that_are_not_positive_days_fail_at_init() =>
        Assert.Throws<FormatException>(() => OverdueService.ParseReminderDays("1,0"));
}
