using PayMyInvoice.Contracts.ScheduledEvents;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Workers.Invoices;

/// <summary>
/// The daily schedule → overdue reminders. "Today" is the schedule's own time, so a retried or late invocation of the
/// same day's run marks the same day, never two.
/// </summary>
public sealed class OverdueInvoicesFunction(OverdueService overdue)
{
    public async Task<ScheduledRunResponse> HandleAsync(ScheduledEvent schedule, ILambdaContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(context);
        var today = DateOnly.FromDateTime(schedule.Time == default ? DateTime.UtcNow : schedule.Time.ToUniversalTime());
        var marked = await overdue.MarkOverdueAsync(today, cancellationToken).ConfigureAwait(false);
        context.Logger.LogInformation($"overdue run for {today:yyyy-MM-dd}: {marked} invoice(s) reminded");
        return new ScheduledRunResponse { Processed = marked };
    }
}
