namespace PayMyInvoice.Core.Invoices;

/// <summary>
/// The daily overdue run: marks each unpaid invoice past its due date with today's reminder day, once per invoice
/// per day (a rerun the same day marks nothing). The stream turns each mark into InvoiceOverdue.
/// </summary>
public sealed class OverdueService(IInvoiceStore store, TimeProvider time)
{
    public async Task<int> MarkOverdueAsync(DateOnly today, CancellationToken cancellationToken)
    {
        var marked = 0;
        await foreach (var (userId, invoiceId) in store.ListOverdueAsync(today, cancellationToken).ConfigureAwait(false))
        {
            if (await MarkAsync(userId, invoiceId, today, cancellationToken).ConfigureAwait(false))
            {
                marked++;
            }
        }

        return marked;
    }

    private async Task<bool> MarkAsync(string userId, string invoiceId, DateOnly today, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var invoice = await store.GetAsync(userId, invoiceId, cancellationToken).ConfigureAwait(false);
            if (invoice is null
                || invoice.Status is not (InvoiceStatus.Open or InvoiceStatus.PaymentFailed)
                || invoice.Details.DueDate >= today
                || invoice.LastOverdueNotice >= today)
            {
                return false;
            }

            var reminded = invoice with { LastOverdueNotice = today, Version = invoice.Version + 1, UpdatedAt = time.GetUtcNow() };
            if (await store.TryReplaceAsync(reminded, invoice.Version, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false; // it kept changing (being paid, most likely): tomorrow's run looks again
    }
}
