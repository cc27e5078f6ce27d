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
        var key = "payment-event#" + eventId;
        switch (await idempotency.ClaimAsync(key, result.Status.ToString(), TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false))
        {
            case IdempotencyClaim.AlreadyCompleted or IdempotencyClaim.PayloadMismatch:
                return false;
            case IdempotencyClaim.InProgress:
                throw new RetryLaterException($"Stripe event {eventId} is being applied by another worker.");
        }

        try
        {
            var applied = await outcomes.RecordAsync(userId, invoiceId, paymentId, result, cancellationToken).ConfigureAwait(false);
            await idempotency.CompleteAsync(key, cancellationToken).ConfigureAwait(false);
            return applied;
        }
        catch
        {
            await idempotency.ReleaseAsync(key, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }
}
