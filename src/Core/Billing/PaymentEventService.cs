using PayMyInvoice.Core.Idempotency;

namespace PayMyInvoice.Core.Billing;

/// <summary>
/// Applies what Stripe reports about a payment (via its webhook) to the invoice: once per Stripe event id, and
/// order-tolerant because <see cref="PaymentOutcomes"/> never moves an invoice backwards.
/// </summary>
public sealed class PaymentEventService(IIdempotencyStore idempotency, PaymentOutcomes outcomes)
{
    public async Task<bool> ApplyAsync(string eventId, string userId, string invoiceId, string paymentId, ChargeResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var applied = false;
        await idempotency.RunOnceAsync("payment-event#" + eventId, result.Status.ToString(), TimeSpan.FromMinutes(1), async () =>
        {
            applied = await outcomes.RecordAsync(userId, invoiceId, paymentId, result, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return applied;
    }
}
