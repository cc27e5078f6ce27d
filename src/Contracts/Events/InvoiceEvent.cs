namespace PayMyInvoice.Contracts.Events;

/// <summary>
/// A domain event on the invoice-events topic: something that happened to an invoice (or an account fee), named in
/// the past tense, versioned, with an id derived from the stream record so that consumers can deduplicate.
/// The SNS message attribute <c>eventType</c> carries <see cref="EventType"/> for subscription filter policies.
/// </summary>
public sealed class InvoiceEvent
{
    public const int CurrentVersion = 1;

    /// <summary>Stable across redeliveries: the stream record's eventID and the event type.</summary>
    public required string EventId { get; init; }

    public required string EventType { get; init; }
    public int EventVersion { get; init; } = CurrentVersion;
    public required DateTimeOffset OccurredAt { get; init; }
    public required InvoiceSnapshot Invoice { get; init; }
}

/// <summary>The invoice as it stood after the change (before it, for a deletion).</summary>
public sealed class InvoiceSnapshot
{
    public required string InvoiceId { get; init; }
    public required string UserId { get; init; }
    public required string PayerEmail { get; init; }
    public string? IssuerEmail { get; init; }
    public required string Description { get; init; }
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required string DueDate { get; init; }
    public required string Status { get; init; }
    public required long Version { get; init; }
    public PaymentSnapshot? Payment { get; init; }

    /// <summary>The pay link's nonce while the invoice has one: with the deployment's secret it yields the payer's URL.</summary>
    public string? PayLinkNonce { get; init; }
}

/// <summary>
/// The current payment attempt: what the billing worker needs, and what the notifications tell. Never the client
/// secret: events reach queues and emails.
/// </summary>
public sealed class PaymentSnapshot
{
    public required string PaymentId { get; init; }
    /// <summary>Null for a payment made on Stripe's Checkout page from the pay link.</summary>
    public string? PaymentMethodId { get; init; }
    public string? PaymentIntentId { get; init; }
    public string? FailureCode { get; init; }
    public string? FailureMessage { get; init; }

    /// <summary>The PaymentIntent of the attempt this one replaced, if that one is to be cancelled (see InvoiceVoided).</summary>
    public string? ReplacesPaymentIntentId { get; init; }
}
