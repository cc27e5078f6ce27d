using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.Core.Billing;

/// <summary>
/// Records what became of a payment, whoever learns it first (the billing worker or Stripe's webhook). Applies only
/// while the invoice still carries that payment id, and only along <see cref="InvoiceLifecycle"/>'s moves, so it never
/// moves backwards: a late failure never un-pays a paid invoice, a late "requires action" never overrides a result.
/// A move to requires_action records Stripe's client secret and next action on the payment (any other move clears them).
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
            if (current.Payment is not { } payment || payment.PaymentId != paymentId)
            {
                return current; // another payment's news
            }

            if (current.Status == InvoiceStatus.RequiresAction && target == InvoiceStatus.RequiresAction)
            {
                // The same news twice (the billing worker's answer and the requires_action webhook, in either order):
                // the first may have lacked the client secret; fill it in, change nothing else.
                return payment.ClientSecret is null && result.ClientSecret is not null
                    ? current with { Payment = payment with { ClientSecret = result.ClientSecret, NextAction = result.NextAction } }
                    : current;
            }

            // A move the lifecycle forbids (already settled; backwards): nothing to record.
            if (current.MoveTo(target, "recorded").Value is not { } moved)
            {
                return current;
            }

            return moved with
            {
                Payment = moved.Payment! with
                {
                    PaymentIntentId = result.PaymentIntentId ?? payment.PaymentIntentId,
                    FailureCode = result.FailureCode,
                    FailureMessage = result.FailureMessage,
                    ClientSecret = target == InvoiceStatus.RequiresAction ? result.ClientSecret : null,
                    NextAction = target == InvoiceStatus.RequiresAction ? result.NextAction : null,
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
