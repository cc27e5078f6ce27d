using System.Text.Json;
using PayMyInvoice.Contracts;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.Sns;

namespace PayMyInvoice.UnitTests;

public sealed class InvoiceEventsTests
{
    private static readonly Invoice Draft = new()
    {
        InvoiceId = "inv_019a2f3c4d5e7f808a9b0c1d2e3f4a5b",
        UserId = "us-east-1:7d3f0a52-6a7e-4d8e-9b1c-2f4e8a9c0b11",
        Details = new InvoiceDetails("payer@example.com", "Consulting", 50000, "EUR", new DateOnly(2026, 12, 31), [], null),
        Status = InvoiceStatus.Draft,
        Version = 1,
        CreatedAt = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero),
        UpdatedAt = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero),
    };

    private static Invoice As(InvoiceStatus status, long version = 2) => Draft with { Status = status, Version = version };

    [Fact]
    public void Creating_or_editing_a_draft_tells_no_one()
    {
        Assert.Null(InvoiceEvents.Classify(null, Draft));
        Assert.Null(InvoiceEvents.Classify(Draft, Draft with { Version = 2 }));
    }

    [Fact]
    public void Each_status_change_is_its_own_event()
    {
        Assert.Equal(InvoiceEventType.InvoiceIssued, InvoiceEvents.Classify(null, As(InvoiceStatus.Open, 1)));
        Assert.Equal(InvoiceEventType.InvoiceIssued, InvoiceEvents.Classify(Draft, As(InvoiceStatus.Open)));
        Assert.Equal(InvoiceEventType.PaymentRequested, InvoiceEvents.Classify(As(InvoiceStatus.Open), As(InvoiceStatus.Processing, 3)));
        Assert.Equal(InvoiceEventType.PaymentRequested, InvoiceEvents.Classify(As(InvoiceStatus.PaymentFailed), As(InvoiceStatus.Processing, 3)));
        Assert.Equal(InvoiceEventType.PaymentSucceeded, InvoiceEvents.Classify(As(InvoiceStatus.Processing), As(InvoiceStatus.Paid, 3)));
        Assert.Equal(InvoiceEventType.PaymentActionRequired, InvoiceEvents.Classify(As(InvoiceStatus.Processing), As(InvoiceStatus.RequiresAction, 3)));
        Assert.Equal(InvoiceEventType.PaymentFailed, InvoiceEvents.Classify(As(InvoiceStatus.Processing), As(InvoiceStatus.PaymentFailed, 3)));
        Assert.Equal(InvoiceEventType.InvoiceVoided, InvoiceEvents.Classify(As(InvoiceStatus.Open), As(InvoiceStatus.Void, 3)));
        Assert.Equal(InvoiceEventType.InvoiceDeleted, InvoiceEvents.Classify(As(InvoiceStatus.Open), null));
    }

    [Fact]
    public void Editing_an_issued_invoice_is_an_update_and_a_new_reminder_day_is_overdue()
    {
        Assert.Equal(InvoiceEventType.InvoiceUpdated, InvoiceEvents.Classify(As(InvoiceStatus.Open), As(InvoiceStatus.Open, 3)));
        var reminded = As(InvoiceStatus.Open, 3) with { LastOverdueNotice = new DateOnly(2027, 1, 2) };
        Assert.Equal(InvoiceEventType.InvoiceOverdue, InvoiceEvents.Classify(As(InvoiceStatus.Open), reminded));
        Assert.Equal(InvoiceEventType.InvoiceOverdue, InvoiceEvents.Classify(reminded, reminded with { LastOverdueNotice = new DateOnly(2027, 1, 3), Version = 4 }));
    }

    [Fact]
    public void The_event_JSON_is_pinned()
    {
        var invoice = As(InvoiceStatus.PaymentFailed, 4) with { Payment = new PaymentAttempt("pay_1", "pm_card_chargeDeclined", "pi_1", "card_declined", "Your card was declined.") };
        var change = new InvoiceChange("c4ca4238a0b923820dcc509a6f75849b:PaymentFailed", InvoiceEventType.PaymentFailed, new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero), invoice);
        Assert.Equal(
            """
            {"eventId":"c4ca4238a0b923820dcc509a6f75849b:PaymentFailed","eventType":"PaymentFailed","eventVersion":1,"occurredAt":"2026-11-27T10:00:00+00:00","invoice":{"invoiceId":"inv_019a2f3c4d5e7f808a9b0c1d2e3f4a5b","userId":"us-east-1:7d3f0a52-6a7e-4d8e-9b1c-2f4e8a9c0b11","payerEmail":"payer@example.com","description":"Consulting","amount":50000,"currency":"EUR","dueDate":"2026-12-31","status":"payment_failed","version":4,"payment":{"paymentId":"pay_1","paymentMethodId":"pm_card_chargeDeclined","paymentIntentId":"pi_1","failureCode":"card_declined","failureMessage":"Your card was declined."}}}
            """,
            JsonSerializer.Serialize(SnsInvoiceEventPublisher.ToEvent(change), ContractsJsonContext.Wire.InvoiceEvent));
    }
}
