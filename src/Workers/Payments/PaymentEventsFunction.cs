using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Lambda;
using Stripe;

namespace PayMyInvoice.Workers.Payments;

/// <summary>
/// The payment-events queue (Stripe events, raw) → the invoice's payment outcome. Events for PaymentIntents we did not
/// create (no paymentId in their metadata) and other event types are acknowledged and ignored.
/// </summary>
public sealed class PaymentEventsFunction(PaymentEventService payments)
{
    public Task<SQSBatchResponse> HandleAsync(SQSEvent batch, ILambdaContext context, CancellationToken cancellationToken) =>
        SqsBatch.ProcessAsync(batch, context, async message =>
        {
            var evt = EventUtility.ParseEvent(message.Body, throwOnApiVersionMismatch: false);
            if (evt.Data?.Object is not PaymentIntent intent
                || !intent.Metadata.TryGetValue("paymentId", out var paymentId)
                || !intent.Metadata.TryGetValue("invoiceId", out var invoiceId)
                || !intent.Metadata.TryGetValue("userId", out var userId))
            {
                return;
            }

            ChargeResult? result = evt.Type switch
            {
                "payment_intent.succeeded" => new ChargeResult(ChargeStatus.Succeeded, intent.Id),
                "payment_intent.requires_action" => new ChargeResult(ChargeStatus.RequiresAction, intent.Id),
                "payment_intent.payment_failed" => new ChargeResult(
                    ChargeStatus.Declined, intent.Id, intent.LastPaymentError?.DeclineCode ?? intent.LastPaymentError?.Code, intent.LastPaymentError?.Message),
                _ => null,
            };
            if (result is not null)
            {
                await payments.ApplyAsync(evt.Id, userId, invoiceId, paymentId, result, cancellationToken).ConfigureAwait(false);
            }
        });
}
