using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Contracts.StripeEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Workers.Payments;

/// <summary>
/// The payment-events queue (Stripe events, raw) → the invoice's payment outcome: <c>payment_intent.*</c> for payments
/// the billing worker started, <c>checkout.session.*</c> for payments made from the pay link. Objects we did not
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
            var subject = evt.Data.Object;
            if (subject.Metadata is not { } metadata
                || !metadata.TryGetValue("paymentId", out var paymentId)
                || !metadata.TryGetValue("invoiceId", out var invoiceId)
                || !metadata.TryGetValue("userId", out var userId))
            {
                return;
            }

            var result = subject.Object switch
            {
                "payment_intent" => IntentOutcome(evt.Type, subject),
                "checkout.session" => SessionOutcome(evt.Type, subject),
                _ => null,
            };
            if (result is not null)
            {
                await payments.ApplyAsync(evt.Id, userId, invoiceId, paymentId, result, context.Deadline, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken);

    private static ChargeResult? IntentOutcome(string type, StripeEventObject intent) => type switch
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

    /// <summary>
    /// A session completes when the payer finished on Stripe's page: paid at once (cards), or later for delayed
    /// methods (async_payment_*). Declines on the page are retried there, so only expiry ends a session unpaid.
    /// </summary>
    private static ChargeResult? SessionOutcome(string type, StripeEventObject session) => type switch
    {
        "checkout.session.completed" when session.PaymentStatus == "paid" => new ChargeResult(ChargeStatus.Succeeded, session.PaymentIntent),
        "checkout.session.async_payment_succeeded" => new ChargeResult(ChargeStatus.Succeeded, session.PaymentIntent),
        "checkout.session.async_payment_failed" => ChargeResult.Declined(session.PaymentIntent, PaymentFailureMessages.AsyncPaymentFailed),
        "checkout.session.expired" => new ChargeResult(ChargeStatus.Abandoned, session.PaymentIntent),
        _ => null,
    };
}
