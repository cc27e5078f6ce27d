using PayMyInvoice.Contracts.Events;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Billing;

/// <summary>The billing queue (PaymentRequested events) → one charge per payment, however often a message arrives.</summary>
public sealed class BillingWorkerFunction(BillingService billing)
{
    public Task<SQSBatchResponse> HandleAsync(SQSEvent batch, ILambdaContext context, CancellationToken cancellationToken) =>
        SqsBatch.ProcessAsync(batch, context, async message =>
        {
            var evt = InvoiceEventMessages.Read(message.Body);
            if (evt.EventType != "PaymentRequested" || evt.Invoice.Payment is not { } payment)
            {
                context.Logger.LogWarning($"message {message.MessageId} is a {evt.EventType}, not a payment request; ignored");
                return;
            }

            var result = await billing.ChargeAsync(evt.Invoice.UserId, evt.Invoice.InvoiceId, payment.PaymentId, cancellationToken).ConfigureAwait(false);
            if (result == BillingResult.Refused)
            {
                context.Logger.LogError($"payment {payment.PaymentId} was requested again with different terms; not charged");
            }
        });
}
