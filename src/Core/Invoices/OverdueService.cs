namespace PayMyInvoice.Core.Invoices;

/// <summary>
/// The daily overdue run: reminds the payer of each unpaid invoice on the configured days after its due date (1, 7
/// and 14 unless serverless.yml says otherwise), then stops. A run that was missed is made up by the next one, with
/// one reminder for the latest day passed. A reminder is a mark on the invoice (the stream turns it into
/// InvoiceOverdue) that keeps the invoice's version, so the owner's next edit is not a conflict.
/// </summary>
public sealed class OverdueService(IInvoiceStore store, IReadOnlyList<int> reminderDays, TimeProvider time)
{
    public static readonly IReadOnlyList<int> DefaultReminderDays = [1, 7, 14];

    public async Task<int> MarkOverdueAsync(DateOnly today, CancellationToken cancellationToken)
    {
        var marked = 0;
        await foreach (var (userId, invoiceId) in store.ListOverdueAsync(today, cancellationToken).ConfigureAwait(false))
        {
            var update = await store.UpdateAsync(
                userId,
                invoiceId,
                invoice => IsReminderDue(invoice, today) ? invoice with { LastOverdueNotice = today } : invoice,
                time,
                cancellationToken,
                keepVersion: true).ConfigureAwait(false);
            if (update.Written)
            {
                marked++;
            }

            // An invoice that kept changing (being paid, most likely) is looked at again by tomorrow's run.
        }

        return marked;
    }

    /// <summary>Whether the invoice is unpaid and has passed a reminder day since its last reminder.</summary>
    public bool IsReminderDue(Invoice invoice, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        if (invoice.Status is not (InvoiceStatus.Open or InvoiceStatus.PaymentFailed))
        {
            return false;
        }

        var daysLate = today.DayNumber - invoice.Details.DueDate.DayNumber;
        var latestDay = reminderDays.Where(day => day <= daysLate).DefaultIfEmpty(0).Max();
        return latestDay > 0 && !(invoice.LastOverdueNotice >= invoice.Details.DueDate.AddDays(latestDay));
    }

    /// <summary>Reminder days from serverless.yml's <c>OVERDUE_REMINDER_DAYS</c> ("1,7,14"): positive whole days after the due date.</summary>
    public static IReadOnlyList<int> ParseReminderDays(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
        {
            return DefaultReminderDays;
        }

        var days = setting.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var day) && day > 0
                ? day
                : throw new FormatException($"OVERDUE_REMINDER_DAYS must list positive whole days such as 1,7,14; '{part}' is not one."))
            .Distinct()
            .Order()
            .ToList();
        return days;
    }
}
