namespace PayMyInvoice.Core.Invoices;

/// <summary>What can happen to an invoice, in the past tense. The names are the wire's <c>eventType</c> values.</summary>
public enum InvoiceEventType
{
    InvoiceIssued,
    InvoiceUpdated,
    PaymentRequested,
    PaymentSucceeded,
    PaymentActionRequired,
    PaymentFailed,
    InvoiceVoided,
    InvoiceDeleted,
    InvoiceOverdue,
}

/// <summary>Turns a stored change (the invoice before and after one write) into the event others must hear about.</summary>
public static class InvoiceEvents
{
    /// <summary>The event a change means, or null when it means nothing to anyone else (a draft created or edited).</summary>
    public static InvoiceEventType? Classify(Invoice? before, Invoice? after)
    {
        if (after is null)
        {
            return before is null ? null : InvoiceEventType.InvoiceDeleted;
        }

        if (before is { Status: InvoiceStatus.Processing } && after.Status == InvoiceStatus.Open)
        {
            return null; // an abandoned Checkout Session: the invoice was issued long ago, nobody needs telling again
        }

        if (after is { Status: InvoiceStatus.Processing, Payment.Checkout: not null })
        {
            return null; // the payer is on Stripe's Checkout page, which takes the payment itself: nothing to bill
        }

        if (before is null || before.Status != after.Status)
        {
            return after.Status switch
            {
                InvoiceStatus.Open => InvoiceEventType.InvoiceIssued,
                InvoiceStatus.Processing => InvoiceEventType.PaymentRequested,
                InvoiceStatus.Paid => InvoiceEventType.PaymentSucceeded,
                InvoiceStatus.RequiresAction => InvoiceEventType.PaymentActionRequired,
                InvoiceStatus.PaymentFailed => InvoiceEventType.PaymentFailed,
                InvoiceStatus.Void => InvoiceEventType.InvoiceVoided,
                _ => null,
            };
        }

        // The reconciler re-queues a payment that never reached Stripe: the billing worker hears it as a new request.
        if (after.Status == InvoiceStatus.Processing && after.Payment?.RequeuedAt is { } requeued && requeued != before.Payment?.RequeuedAt)
        {
            return InvoiceEventType.PaymentRequested;
        }

        if (after.LastOverdueNotice is { } notice && notice != before.LastOverdueNotice)
        {
            return InvoiceEventType.InvoiceOverdue;
        }

        return after.Version != before.Version && after.Status != InvoiceStatus.Draft ? InvoiceEventType.InvoiceUpdated : null;
    }
}

/// <summary>A change worth publishing; <see cref="EventId"/> is stable across redeliveries of the same change.</summary>
public sealed record InvoiceChange(string EventId, InvoiceEventType Type, DateTimeOffset OccurredAt, Invoice Invoice);

/// <summary>Publishes invoice changes to the invoice-events topic.</summary>
public interface IInvoiceEventPublisher
{
    Task PublishAsync(InvoiceChange change, CancellationToken cancellationToken);
}
