using PayMyInvoice.Local.EventSources;
using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Bench.Cost;

/// <summary>
/// A month of <see cref="Traffic"/> at one volume: invocations per function and the AWS requests and units they make.
/// <see cref="SchedulePeriods"/> holds the scheduled functions' mean gap between runs, which decides their cold starts.
/// </summary>
internal sealed record Workload(
    IReadOnlyDictionary<string, double> Invocations,
    IReadOnlyDictionary<string, TimeSpan> SchedulePeriods,
    double ApiCalls,
    double SnsPublishes,
    double SqsRequests,
    double Wru,
    double Rru,
    double StorageGb,
    double PitrGb)
{
    /// <summary>Extra billed ms per run of a function beyond its measured p50 (the overdue run's work grows with the reminders it sends).</summary>
    public IReadOnlyDictionary<string, double> ExtraMsPerRun { get; init; } = new Dictionary<string, double>();

    public static Workload For(ServerlessConfig config, long paidInvoices)
    {
        double n = paidInvoices;
        var c = Traffic.CheckoutShare;
        var api = 1 - c;
        var overdue = Traffic.OverdueShare * n;

        // HTTP calls per function (each an API Gateway REST call and a Lambda invocation).
        var http = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["createInvoice"] = n,
            ["getInvoice"] = Traffic.GetsPerInvoice * n,
            ["listInvoices"] = Traffic.ListsPerInvoice * n,
            ["payInvoice"] = api * n,
            ["payPage"] = Traffic.PayPageViewsPerCheckout * c * n,
            ["payCheckout"] = c * n,
            ["stripeWebhook"] = ((Traffic.WebhooksPerApiPayment * api) + (Traffic.WebhooksPerCheckout * c)) * n,
        };

        // Stream records: issued, processing, paid; one more per reminder. Messages per queue, after SNS filter policies.
        var streamRecords = (3 * n) + overdue;
        var billingMessages = api * n; // PaymentRequested (Checkout's processing publishes nothing: Stripe takes that payment)
        var notificationMessages = (2 * n) + overdue; // InvoiceIssued, PaymentSucceeded, InvoiceOverdue
        var paymentEventMessages = http["stripeWebhook"];
        var invoiceEventPublishes = (2 * n) + billingMessages + overdue;

        var invocations = new Dictionary<string, double>(http, StringComparer.Ordinal)
        {
            ["invoiceStream"] = streamRecords / EffectiveBatch(streamRecords, StreamBatch(config, "invoiceStream", 100)),
            ["billingWorker"] = billingMessages / EffectiveBatch(billingMessages, QueueBatch(config, "billingWorker", 10)),
            ["notifications"] = notificationMessages / EffectiveBatch(notificationMessages, QueueBatch(config, "notifications", 10)),
            ["paymentEvents"] = paymentEventMessages / EffectiveBatch(paymentEventMessages, QueueBatch(config, "paymentEvents", 10)),
        };
        var periods = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var scheduled in new[] { "overdueInvoices", "reconcilePayments" })
        {
            if (config.FunctionNames.Contains(scheduled) && config.Function(scheduled).Schedules is { Count: > 0 } schedules)
            {
                var runs = schedules.Sum(s => RunsPerMonth(s.Expression));
                invocations[scheduled] = runs;
                periods[scheduled] = TimeSpan.FromSeconds(Traffic.SecondsPerMonth / runs);
            }
        }

        var extra = new Dictionary<string, double>(StringComparer.Ordinal);
        if (invocations.TryGetValue("overdueInvoices", out var overdueRuns))
        {
            extra["overdueInvoices"] = overdue / overdueRuns * Traffic.OverdueMsPerReminder;
        }

        // SQS: SNS's SendMessage per message, a ReceiveMessage and a DeleteMessageBatch per batch, and idle long-polls per
        // queue with an event source mapping. Messages are far under 64 KB: one request each.
        var sqsQueues = config.FunctionNames.Sum(f => config.Function(f).Queues.Count);
        var sqs = billingMessages + notificationMessages + paymentEventMessages
            + (2 * (invocations["billingWorker"] + invocations["notifications"] + invocations["paymentEvents"]))
            + (sqsQueues * Traffic.IdleReceivesPerQueuePerMinute * 60 * Prices.HoursPerMonth);

        var (wru, rru) = DynamoUnits(n, c, overdue, invocations.GetValueOrDefault("overdueInvoices"), invocations.GetValueOrDefault("reconcilePayments"));
        var invoiceKb = (Traffic.InvoiceKb + Traffic.ItemOverheadKb) * n * Traffic.RetainedMonths;
        var idempotencyRecords = n * (1 + api + api + Traffic.WebhooksPerApiPayment * api + Traffic.WebhooksPerCheckout * c + 3) + overdue;
        var storageKb = (2 * invoiceKb) // the item and its PayLinks (ALL) copy: a paid invoice keeps its pay link
            + (idempotencyRecords * (Traffic.SmallItemKb + Traffic.ItemOverheadKb) * Traffic.IdempotencyRetainedMonths);
        return new Workload(invocations, periods, http.Values.Sum(), invoiceEventPublishes + paymentEventMessages, sqs, wru, rru, storageKb / (1024 * 1024), invoiceKb / (1024 * 1024))
        {
            ExtraMsPerRun = extra,
        };
    }

    /// <summary>
    /// Write and read units per month. Writes: a put of a 2 KB invoice 2 WRU (4 in a transaction); a small record 1 (2 in
    /// a transaction); PayLinks (ALL) 2 more per write of an issued invoice; UnpaidByDueDate/PendingPayments 1 when an
    /// invoice enters or leaves them. Reads: a strongly consistent GetItem of up to 4 KB 1 RRU; a query 0.5 RRU per 4 KB.
    /// </summary>
    private static (double Wru, double Rru) DynamoUnits(double n, double c, double overdue, double overdueRuns, double reconcileRuns)
    {
        var invoiceWrite = Math.Ceiling(Traffic.InvoiceKb);
        var payLinksWrite = Math.Ceiling(Traffic.InvoiceKb);
        const double small = 1;
        const double keysOnly = 1;
        var api = 1 - c;

        // createInvoice: request lookup (1 RRU); transaction of invoice + request; enters UnpaidByDueDate and PayLinks.
        var create = (W: (2 * invoiceWrite) + (2 * small) + keysOnly + payLinksWrite, R: 1.0);
        var gets = (W: 0.0, R: Traffic.GetsPerInvoice * 1);
        var lists = (W: 0.0, R: Traffic.ListsPerInvoice * 0.5 * Math.Ceiling(Traffic.ListPageItems * Traffic.InvoiceKb / 4));
        // payInvoice: GetItem + request lookup; transaction; enters PendingPayments; PayLinks copy rewritten.
        var pay = (W: (2 * invoiceWrite) + (2 * small) + keysOnly + payLinksWrite, R: 2.0);
        // Settling (billingWorker or the first payment event): claim, GetItem, put paid (leaves Unpaid and Pending), completion.
        var settle = (W: small + invoiceWrite + (2 * keysOnly) + payLinksWrite + small, R: 1.0);
        // A payment event that finds the invoice already paid: claim, GetItem, completion.
        var noOp = (W: 2 * small, R: 1.0);
        // payPage: a PayLinks query of one 2 KB item (0.5 RRU); payCheckout: the query, a GetItem, a put to processing.
        var payPage = (W: 0.0, R: Traffic.PayPageViewsPerCheckout * 0.5);
        var checkout = (W: invoiceWrite + keysOnly + payLinksWrite, R: 1.5);
        var emails = (W: 3 * 2 * small, R: 0.0);

        var apiPath = (W: pay.W + settle.W + (Traffic.WebhooksPerApiPayment * noOp.W), R: pay.R + settle.R + (Traffic.WebhooksPerApiPayment * noOp.R));
        var checkoutPath = (W: checkout.W + settle.W + ((Traffic.WebhooksPerCheckout - 1) * noOp.W), R: payPage.R + checkout.R + settle.R + ((Traffic.WebhooksPerCheckout - 1) * noOp.R));
        var perInvoiceW = create.W + gets.W + lists.W + emails.W + (api * apiPath.W) + (c * checkoutPath.W);
        var perInvoiceR = create.R + gets.R + lists.R + emails.R + (api * apiPath.R) + (c * checkoutPath.R);

        // A reminder: GetItem, put (PayLinks rewritten), its email's claim + completion; the daily query reads keys (0.5 RRU a run at least).
        var reminders = (W: overdue * (invoiceWrite + payLinksWrite + (2 * small)), R: (overdue * 1.5) + (overdueRuns * 0.5));
        // The reconciler queries PendingPayments for processing and requires_action each run (0.5 RRU each, mostly empty).
        var reconcile = reconcileRuns * 2 * 0.5;
        return ((perInvoiceW * n) + reminders.W, (perInvoiceR * n) + reminders.R + reconcile);
    }

    /// <summary>Records per invocation: what a poll gathers at the peak rate, between 1 and the configured batch size.</summary>
    private static double EffectiveBatch(double perMonth, int batchSize)
    {
        var peakPerSecond = perMonth / Traffic.SecondsPerMonth * Traffic.PeakToMean;
        return Math.Clamp(peakPerSecond * Traffic.PollGatherSeconds, 1, batchSize);
    }

    private static int StreamBatch(ServerlessConfig config, string function, int fallback) =>
        config.FunctionNames.Contains(function) && config.Function(function).Streams is { Count: > 0 } streams ? streams[0].BatchSize : fallback;

    private static int QueueBatch(ServerlessConfig config, string function, int fallback) =>
        config.FunctionNames.Contains(function) && config.Function(function).Queues is { Count: > 0 } queues ? queues[0].BatchSize : fallback;

    /// <summary>Runs of a schedule in a 730-hour month, counted over 30 days and scaled.</summary>
    internal static double RunsPerMonth(string expression)
    {
        var schedule = ScheduleExpression.Parse(expression);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var end = start.AddDays(30);
        var runs = 0;
        for (var at = schedule.Next(start, start); at <= end; at = schedule.Next(at, start))
        {
            runs++;
        }

        return runs * Prices.HoursPerMonth / (30 * 24);
    }
}
