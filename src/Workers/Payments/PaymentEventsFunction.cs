using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Contracts.StripeEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Lambda;

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
            var evt = System.Text.Json.JsonSerializer.Deserialize(message.Body ?? "", ContractsJsonContext.Wire.StripeEvent)
                ?? throw new System.Text.Json.JsonException("The message is JSON null.");
            var intent = evt.Data.Object;
            if (intent.Object != "payment_intent"
                || intent.Metadata is not { } metadata
                || !metadata.TryGetValue("paymentId", out var paymentId)
                || !metadata.TryGetValue("invoiceId", out var invoiceId)
                || !metadata.TryGetValue("userId", out var userId))
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
