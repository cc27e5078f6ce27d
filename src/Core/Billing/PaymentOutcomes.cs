using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.Core.Billing;

/// <summary>
/// Records what became of a payment, whoever learns it first (the billing worker or Stripe's webhook). Applies only
/// while the invoice still carries that payment id, and only along <see cref="InvoiceLifecycle"/>'s moves, so it never
/// moves backwards: a late failure never un-pays a paid invoice, a late "requires action" never overrides a result.
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
            ChargeStatus.Abandoned => InvoiceStatus.Open,
            _ => InvoiceStatus.PaymentFailed,
        };
        var update = await store.UpdateAsync(userId, invoiceId, current =>
        {
            // Another payment's news, or a move the lifecycle forbids (already settled; backwards): nothing to record.
            if (current.Payment is not { } payment || payment.PaymentId != paymentId || current.MoveTo(target, "recorded").Value is not { } moved)
            {
                return current;
            }

            return moved with
            {
                Payment = payment with
                {
                    PaymentIntentId = result.PaymentIntentId ?? payment.PaymentIntentId,
                    FailureCode = result.FailureCode,
                    FailureMessage = result.FailureMessage,
                },
            };
        }, time, cancellationToken, attempts: 5).ConfigureAwait(false);
        if (update.Result.Failure is { Kind: FailureKind.Conflict })
        {
            throw new Idempotency.RetryLaterException($"Invoice {invoiceId} kept changing while recording payment {paymentId}.");
        }

        return update.Written;
    }
}
