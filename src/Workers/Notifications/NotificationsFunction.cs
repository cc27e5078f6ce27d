using PayMyInvoice.Contracts.Events;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Core.Notifications;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Workers.Notifications;

/// <summary>The notifications queue (invoice events) → emails, at most one per (event, recipient).</summary>
public sealed class NotificationsFunction(InvoiceEmails emails, NotificationService notifications)
{
    public Task<SQSBatchResponse> HandleAsync(SQSEvent batch, ILambdaContext context, CancellationToken cancellationToken) =>
        SqsBatch.ProcessAsync(batch, context, async message =>
        {
            var evt = InvoiceEventMessages.Read(message.Body);
            await notifications.SendOnceAsync(evt.EventId, emails.For(evt), cancellationToken).ConfigureAwait(false);
        });
}
