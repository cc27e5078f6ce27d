namespace PayMyInvoice.Bench.Cost;

/// <summary>
/// The traffic one paid invoice brings, read from the functions and serverless.yml (see <see cref="Describe"/>). The
/// counts are per invoice except the schedules, which are per month whatever the traffic.
/// </summary>
public static class Traffic
{
    /// <summary>Share of invoices paid by the payer through the pay link (payPage + payCheckout, Stripe Checkout); the rest the owner's frontend pays with POST /invoices/{id}/pay.</summary>
    public const double CheckoutShare = 0.6;

    /// <summary>GET /invoices/{id} per invoice: the owner opens it after creating it and once more while it settles.</summary>
    public const double GetsPerInvoice = 2;

    /// <summary>GET /invoices per invoice: a dashboard page of 20 for every two invoices.</summary>
    public const double ListsPerInvoice = 0.5;

    public const int ListPageItems = 20;

    /// <summary>GET /pay/{token} per Checkout payment: the payer opens the link, and the page refreshes (every 5 s) twice while the payment settles.</summary>
    public const double PayPageViewsPerCheckout = 3;

    /// <summary>Stripe webhooks per payment: checkout.session.completed and payment_intent.succeeded for Checkout; payment_intent.succeeded for an API payment.</summary>
    public const double WebhooksPerCheckout = 2;

    public const double WebhooksPerApiPayment = 1;

    /// <summary>Share of paid invoices that were overdue first and got one reminder from the daily run.</summary>
    public const double OverdueShare = 0.1;

    /// <summary>An invoice item is 1–2 KB: priced at 2 KB (2 WRU a write, 1 RRU a strongly consistent read).</summary>
    public const double InvoiceKb = 2;

    /// <summary>Idempotency records (requests, claims) are under 1 KB; a keys-only index entry too.</summary>
    public const double SmallItemKb = 0.3;

    /// <summary>DynamoDB's per-item storage overhead, per item and per index entry.</summary>
    public const double ItemOverheadKb = 0.1;

    /// <summary>Invoices are kept: storage is priced after this many months of this traffic.</summary>
    public const double RetainedMonths = 12;

    /// <summary>Idempotency records live 15 days (DynamoDbIdempotencyStore.KeepFor) before the TTL deletes them: half a month.</summary>
    public const double IdempotencyRetainedMonths = 0.5;

    /// <summary>Traffic is not flat: concurrency and batch sizes are computed at this multiple of the month's mean rate.</summary>
    public const double PeakToMean = 3;

    /// <summary>A poll of a stream shard (4 a second) or a queue gathers what arrived in about this long.</summary>
    public const double PollGatherSeconds = 0.25;

    /// <summary>
    /// An idle SQS event source mapping long-polls with about 5 pollers, 20 s each: 15 ReceiveMessage requests a minute
    /// per queue. Not an AWS-published figure (commonly observed); counted on top of the receives that return messages,
    /// so it is an upper bound.
    /// </summary>
    public const double IdleReceivesPerQueuePerMinute = 15;

    /// <summary>Extra wall time of the daily overdue run per reminder it sends (a GetItem and a conditional PutItem in-region).</summary>
    public const double OverdueMsPerReminder = 15;

    public static string Describe(double checkoutShare = CheckoutShare) => string.Join('\n',
        $"Per paid invoice: 1 createInvoice (open, with Idempotency-Key: one TransactWriteItems of the invoice and the request record), {GetsPerInvoice:0} getInvoice, {ListsPerInvoice:0.#} listInvoices (a page of {ListPageItems}); "
        + $"{checkoutShare:P0} paid by the payer via the pay link ({PayPageViewsPerCheckout:0} payPage views, 1 payCheckout, {WebhooksPerCheckout:0} Stripe webhooks), {1 - checkoutShare:P0} by the owner (1 payInvoice, billingWorker charges, {WebhooksPerApiPayment:0} webhook); {OverdueShare:P0} get one overdue reminder.",
        "Stream: 3 invoice-table records per invoice (issued, processing, paid; +1 per reminder), read free by invoiceStream in batches of up to serverless.yml's batchSize. "
        + "SNS: InvoiceIssued, PaymentSucceeded (+PaymentRequested on the owner path, +InvoiceOverdue) to invoice-events, one publish per webhook to payment-events; SNS→SQS deliveries free, SQS bills each SendMessage, one ReceiveMessage and one DeleteMessageBatch per batch, plus ~15 idle long-polls a minute per queue.",
        $"Emails: 1 on issue, 2 on payment (payer's receipt, issuer), each an idempotency claim + completion (2 WRU). DynamoDB: invoice {InvoiceKb:0} KB = 2 WRU a put, 4 in a transaction; GSIs: PayLinks (ALL: every write of an issued invoice is 2 more WRU), UnpaidByDueDate and PendingPayments (KEYS_ONLY, sparse: 1 WRU when an invoice enters or leaves them). "
        + $"Storage after {RetainedMonths:0} months of this traffic (invoice + PayLinks copy), PITR on the invoices table, idempotency records for 15 days.",
        $"Schedules: overdueInvoices daily, reconcilePayments every 15 minutes (from serverless.yml). Arrivals are Poisson at the month's mean rate; concurrency and batches at {PeakToMean:0}× that. "
        + $"Cold starts: an environment idle {ColdStarts.IdleTimeoutMinutes:0} min is reclaimed, and every environment is recycled every {ColdStarts.EnvironmentLifetimeHours:0} h; a warmed function keeps its pinged environments, so its idle cold starts vanish but the recycles remain (taken by a ping).",
        "Not counted: free tiers, CloudWatch Logs, EventBridge schedules, data transfer, the email provider, Stripe, SSM parameters, KMS.");

    /// <summary>Seconds in a 730-hour month.</summary>
    public static double SecondsPerMonth => Prices.HoursPerMonth * 3600;
}
