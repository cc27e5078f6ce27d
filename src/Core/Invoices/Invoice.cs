namespace PayMyInvoice.Core.Invoices;

/// <summary>An invoice as stored. Money is an integer amount in minor units plus an ISO 4217 currency.</summary>
public sealed record Invoice
{
    public required string InvoiceId { get; init; }
    public required string UserId { get; init; }
    public required InvoiceDetails Details { get; init; }
    public required InvoiceStatus Status { get; init; }

    /// <summary>Starts at 1 and grows by one with every write: the optimistic-concurrency token.</summary>
    public required long Version { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The current (or last) payment attempt; set when a payment is requested.</summary>
    public PaymentAttempt? Payment { get; init; }

    /// <summary>The day the last overdue reminder was raised, so the daily run raises at most one a day.</summary>
    public DateOnly? LastOverdueNotice { get; init; }
}

/// <summary>One attempt to take payment, identified by <see cref="PaymentId"/> (also Stripe's idempotency key).</summary>
public sealed record PaymentAttempt(
    string PaymentId,
    string PaymentMethodId,
    string? PaymentIntentId = null,
    string? FailureCode = null,
    string? FailureMessage = null);

/// <summary>What the issuer writes on an invoice: validated, so an instance is always a valid one.</summary>
public sealed record InvoiceDetails(
    string PayerEmail,
    string Description,
    long Amount,
    string Currency,
    DateOnly DueDate,
    IReadOnlyList<LineItem> LineItems,
    string? Attachment,
    string? IssuerEmail = null);

public sealed record LineItem(string Description, long Quantity, long UnitAmount)
{
    public long Total => Quantity * UnitAmount;
}
