using PayMyInvoice.Contracts.Events;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Billing;

/// <summary>
/// The billing queue → Stripe: PaymentRequested events become one charge per payment, however often a message arrives
/// (after cancelling the PaymentIntent of the attempt it replaces); InvoiceVoided events cancel the PaymentIntents the
/// void invoice left open, refunding one the payer completed first.
/// </summary>
public sealed class BillingWorkerFunction(BillingService billing)
{
    /// <summary>
    /// No message is started with less time left than this: a Stripe call (whose own timeout shrinks to fit), the
    /// invoice writes, the claim, with room to spare. The rest of the batch goes back to the queue.
    /// </summary>
    public static readonly TimeSpan Reserve = TimeSpan.FromSeconds(5);

    /// <summary>The <c>error_class</c> of the line logged when a void invoice's PaymentIntent had taken money and was refunded.</summary>
    public const string VoidedInvoicePaidErrorClass = "voided_invoice_paid";

    public Task<SQSBatchResponse> HandleAsync(SQSEvent batch, ILambdaContext context, CancellationToken cancellationToken) =>
        SqsBatch.ProcessAsync(batch, context, Reserve, async message =>
        {
            var evt = InvoiceEventMessages.Read(message.Body);
            switch (evt.EventType)
            {
                case "PaymentRequested" when evt.Invoice.Payment is { } payment:
                    await ChargeAsync(evt.Invoice, payment, context, cancellationToken).ConfigureAwait(false);
                    break;
                case "InvoiceVoided" or "InvoiceDeleted": // a deleted payment_failed invoice may leave an open intent too
                    await CancelVoidedAsync(evt.Invoice, context, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    context.Logger.LogWarning($"message {message.MessageId} is a {evt.EventType}, not a payment request or a void; ignored");
                    break;
            }
        }, cancellationToken);

    private async Task ChargeAsync(InvoiceSnapshot invoice, PaymentSnapshot payment, ILambdaContext context, CancellationToken cancellationToken)
    {
        var outcome = await billing.ChargeAsync(invoice.UserId, invoice.InvoiceId, payment.PaymentId, context.Deadline, cancellationToken).ConfigureAwait(false);
        if (outcome.Result == BillingResult.Refused)
        {
            context.Logger.LogError($"payment {payment.PaymentId} was requested again with different terms; not charged");
        }

        if (outcome.PaidByReplacedIntent is { } replaced)
        {
            context.Logger.LogWarning($"payment {payment.PaymentId} of invoice {invoice.InvoiceId} was not charged: the payer completed the PaymentIntent it replaced ({replaced}) first, so the invoice is paid by that one");
        }

        if (outcome.Charge?.ProviderError is { } error)
        {
            StripeRefusals.Log(
                context.Logger,
                error,
                $"payment {payment.PaymentId} is payment_failed with processing_error",
                new() { ["invoice_id"] = invoice.InvoiceId, ["payment_id"] = payment.PaymentId });
        }
    }

    private async Task CancelVoidedAsync(InvoiceSnapshot invoice, ILambdaContext context, CancellationToken cancellationToken)
    {
        var intents = new[] { invoice.Payment?.PaymentIntentId, invoice.Payment?.ReplacesPaymentIntentId }
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        VoidOutcome outcome;
        try
        {
            outcome = await billing.CancelVoidedAsync(invoice.InvoiceId, intents, context.Deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderRefusedException refused)
        {
            StripeRefusals.Log(
                context.Logger,
                refused.Error,
                $"the PaymentIntent of void invoice {invoice.InvoiceId} is not cancelled yet (retried)",
                new() { ["invoice_id"] = invoice.InvoiceId });
            throw; // retried, then dead-lettered (and alarmed): the intent may still take money
        }

        foreach (var canceled in outcome.Canceled)
        {
            context.Logger.LogInformation($"PaymentIntent {canceled} of void invoice {invoice.InvoiceId} is cancelled");
        }

        foreach (var (intent, refund) in outcome.Refunds)
        {
            context.Logger.LogError(
                $"void invoice {invoice.InvoiceId} was paid: the payer completed PaymentIntent {intent} before it was cancelled; refunded ({refund.Status})",
                new Dictionary<string, string>
                {
                    ["error_class"] = VoidedInvoicePaidErrorClass,
                    ["invoice_id"] = invoice.InvoiceId,
                    ["payment_intent_id"] = intent,
                    ["refund_id"] = refund.RefundId,
                    ["refund_status"] = refund.Status,
                });
        }
    }
}
