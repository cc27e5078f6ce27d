using System.Globalization;
using PayMyInvoice.Contracts.ScheduledEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Billing;

/// <summary>
/// The 15-minute schedule → <see cref="PaymentReconciler"/>: every invoice left awaiting a payment too long gets a
/// decision, each logged as one line with its fields; the run stops starting invoices near its deadline and leaves the
/// rest for the next one.
/// </summary>
public sealed class ReconcilePaymentsFunction(PaymentReconciler reconciler)
{
    public async Task<ReconcileRunResponse> HandleAsync(ScheduledEvent schedule, ILambdaContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var summary = new ReconcileRunResponse();
        await foreach (var decision in reconciler.RunAsync(context.Deadline, cancellationToken).ConfigureAwait(false))
        {
            Log(context.Logger, decision);
            switch (decision.Action)
            {
                case ReconcileAction.Stopped:
                    summary.Stopped = true;
                    continue;
                case ReconcileAction.Settled:
                    summary.Settled++;
                    break;
                case ReconcileAction.Requeued:
                    summary.Requeued++;
                    break;
                case ReconcileAction.Failed:
                    summary.Failed++;
                    break;
                case ReconcileAction.Error:
                    summary.Errors++;
                    break;
                default:
                    summary.Left++;
                    break;
            }

            summary.Examined++;
        }

        context.Logger.LogInformation(string.Create(CultureInfo.InvariantCulture,
            $"reconcile run: {summary.Examined} examined, {summary.Settled} settled, {summary.Requeued} re-queued, {summary.Failed} failed, {summary.Left} left, {summary.Errors} errors{(summary.Stopped ? "; stopped near the deadline" : "")}"));
        return summary;
    }

    private static void Log(ILambdaLogger logger, ReconcileDecision decision)
    {
        var fields = new Dictionary<string, string>
        {
            ["decision"] = decision.Action.ToString().ToLowerInvariant(),
            ["invoice_id"] = decision.InvoiceId,
            ["user_id"] = decision.UserId,
        };
        AddIfSet(fields, "payment_id", decision.PaymentId);
        AddIfSet(fields, "payment_intent_id", decision.PaymentIntentId);
        AddIfSet(fields, "stripe_status", decision.ProviderStatus);
        AddIfSet(fields, "failure_code", decision.FailureCode);
        var level = decision.Action switch
        {
            ReconcileAction.Error => LogLevel.Error,
            ReconcileAction.Failed or ReconcileAction.Requeued or ReconcileAction.Stopped => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        logger.Log(level, $"invoice {decision.InvoiceId}: {decision.Action.ToString().ToLowerInvariant()}: {decision.Reason}", decision.Error, fields);
    }

    private static void AddIfSet(Dictionary<string, string> fields, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            fields[key] = value;
        }
    }
}
