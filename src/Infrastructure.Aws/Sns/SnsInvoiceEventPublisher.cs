using System.Globalization;
using System.Text.Json;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.Events;
using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.Infrastructure.Sns;

/// <summary>Publishes invoice changes as <see cref="InvoiceEvent"/> JSON, with <c>eventType</c> as a message attribute for filter policies.</summary>
public sealed class SnsInvoiceEventPublisher(SnsClient sns, string topicArn) : IInvoiceEventPublisher
{
    public const string EventTypeAttribute = "eventType";

    public Task PublishAsync(InvoiceChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var message = JsonSerializer.Serialize(ToEvent(change), ContractsJsonContext.Wire.InvoiceEvent);
        return sns.PublishAsync(topicArn, message, new Dictionary<string, string> { [EventTypeAttribute] = change.Type.ToString() }, cancellationToken);
    }

    public static InvoiceEvent ToEvent(InvoiceChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var invoice = change.Invoice;
        return new InvoiceEvent
        {
            EventId = change.EventId,
            EventType = change.Type.ToString(),
            OccurredAt = change.OccurredAt,
            Invoice = new InvoiceSnapshot
            {
                InvoiceId = invoice.InvoiceId,
                UserId = invoice.UserId,
                PayerEmail = invoice.Details.PayerEmail,
                IssuerEmail = invoice.Details.IssuerEmail,
                Description = invoice.Details.Description,
                Amount = invoice.Details.Amount,
                Currency = invoice.Details.Currency,
                DueDate = invoice.Details.DueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                Status = invoice.Status.ToName(),
                Version = invoice.Version,
                Payment = invoice.Payment is { } payment
                    ? new PaymentSnapshot
                    {
                        PaymentId = payment.PaymentId,
                        PaymentMethodId = payment.PaymentMethodId,
                        PaymentIntentId = payment.PaymentIntentId,
                        FailureCode = payment.FailureCode,
                        FailureMessage = payment.FailureMessage,
                        ReplacesPaymentIntentId = payment.ReplacesPaymentIntentId,
                    }
                    : null,
                PayLinkNonce = invoice.PayLink?.Nonce,
            },
        };
    }
}
