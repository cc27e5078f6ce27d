using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.Core.Billing;

/// <summary>
/// Records what became of a payment, whoever learns it first (the billing worker or Stripe's webhook). Applies only
/// while the invoice still carries that payment id, and never moves it backwards: a late failure never un-pays a paid
/// invoice, a late "requires action" never overrides a result.
/// </summary>
public sealed class PaymentOutcomes(IInvoiceStore store, TimeProvider time)
{
    public async Task<bool> RecordAsync(string userId, string invoiceId, string paymentId, ChargeResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var target = result.Status switch
        {
            ChargeStatus.Succeeded => InvoiceStatus.Paid,
            ChargeStatus.RequiresAction => InvoiceStatus.RequiresAction,
            _ => InvoiceStatus.PaymentFailed,
        };
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = await store.GetAsync(userId, invoiceId, cancellationToken).ConfigureAwait(false);
            if (current?.Payment is not { } payment || payment.PaymentId != paymentId || !CanRecord(current.Status, target))
            {
                return false; // another payment, already settled, or gone: nothing to record
            }

            var updated = current with
            {
                Status = target,
                Payment = payment with
                {
                    PaymentIntentId = result.PaymentIntentId ?? payment.PaymentIntentId,
                    FailureCode = result.FailureCode,
                    FailureMessage = result.FailureMessage,
                },
                Version = current.Version + 1,
                UpdatedAt = time.GetUtcNow(),
            };
            if (await store.TryReplaceAsync(updated, current.Version, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        throw new Idempotency.RetryLaterException($"Invoice {invoiceId} kept changing while recording payment {paymentId}.");
    }

    private static bool CanRecord(InvoiceStatus current, InvoiceStatus target) => target switch
    {
        InvoiceStatus.Paid => current is InvoiceStatus.Processing or InvoiceStatus.RequiresAction or InvoiceStatus.PaymentFailed,
        InvoiceStatus.PaymentFailed => current is InvoiceStatus.Processing or InvoiceStatus.RequiresAction,
        InvoiceStatus.RequiresAction => current is InvoiceStatus.Processing,
        _ => false,
    };
}
