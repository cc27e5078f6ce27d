using PayMyInvoice.Contracts.Events;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Billing;

/// <summary>The billing queue (PaymentRequested events) → one charge per payment, however often a message arrives.</summary>
public sealed class BillingWorkerFunction(BillingService billing)
{
    /// <summary>
    /// No message is started with less time left than this: a Stripe call (whose own timeout shrinks to fit), the
    /// invoice writes, the claim, with room to spare. The rest of the batch goes back to the queue.
    /// </summary>
    public static readonly TimeSpan Reserve = TimeSpan.FromSeconds(5);

    public Task<SQSBatchResponse> HandleAsync(SQSEvent batch, ILambdaContext context, CancellationToken cancellationToken) =>
        SqsBatch.ProcessAsync(batch, context, Reserve, async message =>
        {
            var evt = InvoiceEventMessages.Read(message.Body);
            if (evt.EventType != "PaymentRequested" || evt.Invoice.Payment is not { } payment)
            {
                context.Logger.LogWarning($"message {message.MessageId} is a {evt.EventType}, not a payment request; ignored");
                return;
            }

            var outcome = await billing.ChargeAsync(evt.Invoice.UserId, evt.Invoice.InvoiceId, payment.PaymentId, context.Deadline, cancellationToken).ConfigureAwait(false);
            if (outcome.Result == BillingResult.Refused)
            {
                context.Logger.LogError($"payment {payment.PaymentId} was requested again with different terms; not charged");
            }

            if (outcome.Charge?.ProviderError is { } error)
            {
                StripeRefusals.Log(
                    context.Logger,
                    error,
                    $"payment {payment.PaymentId} is payment_failed with processing_error",
                    new() { ["invoice_id"] = evt.Invoice.InvoiceId, ["payment_id"] = payment.PaymentId });
            }
        }, cancellationToken);
}
