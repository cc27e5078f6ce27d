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

    /// <summary>The <c>error_class</c> of the line logged when Stripe refuses our request itself; the alarm matches it.</summary>
    public const string StripeConfigurationErrorClass = "stripe_configuration";

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
                LogStripeRefusal(context.Logger, evt.Invoice.InvoiceId, payment.PaymentId, error);
            }
        }, cancellationToken);

    /// <summary>
    /// One error line per payment Stripe refused for a reason on our side (key, permissions, parameters), with a fixed
    /// message prefix and <c>"error_class":"stripe_configuration"</c> for the deployment's alarm. Stripe's message is
    /// included with any key fragment removed; payers and owners never see it.
    /// </summary>
    private static void LogStripeRefusal(ILambdaLogger logger, string invoiceId, string paymentId, ProviderError error)
    {
        var fields = new Dictionary<string, string>
        {
            ["error_class"] = StripeConfigurationErrorClass,
            ["invoice_id"] = invoiceId,
            ["payment_id"] = paymentId,
            ["stripe_error_type"] = error.Type,
            ["stripe_http_status"] = error.HttpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        AddIfSet(fields, "stripe_error_code", error.Code);
        AddIfSet(fields, "stripe_error_param", error.Param);
        AddIfSet(fields, "stripe_request_id", error.RequestId);
        AddIfSet(fields, "stripe_message", error.Message);
        logger.LogError(
            $"Stripe refused the request itself ({error.Type}, HTTP {error.HttpStatus}): payment {paymentId} is payment_failed with processing_error; check the Stripe key, its permissions and the request",
            fields);
    }

    private static void AddIfSet(Dictionary<string, string> fields, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            fields[key] = value;
        }
    }
}
