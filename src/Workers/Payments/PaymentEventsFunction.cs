using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Contracts.StripeEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Workers.Payments;

/// <summary>
/// The payment-events queue (Stripe events, raw) → the invoice's payment outcome. Events for PaymentIntents we did not
/// create (no paymentId in their metadata) and other event types are acknowledged and ignored.
/// </summary>
public sealed class PaymentEventsFunction(PaymentEventService payments)
{
    /// <summary>No message is started with less time left than this: a claim and two or three table calls.</summary>
    public static readonly TimeSpan Reserve = TimeSpan.FromSeconds(2);

    public Task<SQSBatchResponse> HandleAsync(SQSEvent batch, ILambdaContext context, CancellationToken cancellationToken) =>
        SqsBatch.ProcessAsync(batch, context, Reserve, async message =>
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
                "payment_intent.requires_action" => new ChargeResult(ChargeStatus.RequiresAction, intent.Id)
                {
                    ClientSecret = intent.ClientSecret,
                    NextAction = intent.NextAction is { } next ? new PaymentNextAction(next.Type, next.RedirectToUrl?.Url, next.RedirectToUrl?.ReturnUrl) : null,
                },
                // Stripe's message is for developers: the payer and owner get our sentence for its code.
                "payment_intent.payment_failed" => ChargeResult.Declined(intent.Id, intent.LastPaymentError?.DeclineCode ?? intent.LastPaymentError?.Code),
                _ => null,
            };
            if (result is not null)
            {
                await payments.ApplyAsync(evt.Id, userId, invoiceId, paymentId, result, context.Deadline, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken);
}
