using PayMyInvoice.Contracts.Events;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Core.Notifications;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Workers.Notifications;

/// <summary>The notifications queue (invoice events) → emails, at most one per (event, recipient).</summary>
public sealed class NotificationsFunction(InvoiceEmails emails, NotificationService notifications)
{
    /// <summary>No message is started with less time left than this: a claim and an SMTP session or two.</summary>
    public static readonly TimeSpan Reserve = TimeSpan.FromSeconds(3);

    public Task<SQSBatchResponse> HandleAsync(SQSEvent batch, ILambdaContext context, CancellationToken cancellationToken) =>
        SqsBatch.ProcessAsync(batch, context, Reserve, async message =>
        {
            var evt = InvoiceEventMessages.Read(message.Body);
            await notifications.SendOnceAsync(evt.EventId, emails.For(evt), context.Deadline, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
}
