using PayMyInvoice.Core.Idempotency;

namespace PayMyInvoice.Core.Billing;

/// <summary>
/// Applies what Stripe reports about a payment (via its webhook) to the invoice: once per Stripe event id, and
/// order-tolerant because <see cref="PaymentOutcomes"/> never moves an invoice backwards.
/// </summary>
public sealed class PaymentEventService(IIdempotencyStore idempotency, PaymentOutcomes outcomes)
{
    /// <param name="deadline">The invocation's deadline, when the claim on this event lapses if the worker dies.</param>
    public async Task<bool> ApplyAsync(string eventId, string userId, string invoiceId, string paymentId, ChargeResult result, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var applied = false;
        await idempotency.RunOnceAsync("payment-event#" + eventId, result.Status.ToString(), deadline, async () =>
        {
            applied = await outcomes.RecordAsync(userId, invoiceId, paymentId, result, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return applied;
    }
}
