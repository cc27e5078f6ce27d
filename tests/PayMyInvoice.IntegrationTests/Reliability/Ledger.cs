using Amazon.SQS.Model;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Local;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>One invoice a scenario created and asked to pay.</summary>
public sealed record PaidInvoice(string User, string InvoiceId, string Payer, bool Declined);

/// <summary>
/// What became of a scenario's payments, each figure counted from outside the functions: charges on the Stripe
/// emulator, final states in DynamoDB, messages in the dead-letter queues, and emails in maildev.
/// </summary>
public sealed record Ledger(int Invoices, int Paid, int Failed, int Charges, int DoubleCharges, int Undecided, int DeadLettered, int DuplicateEmails, int DeclinedCharged)
{
    /// <summary>Nothing charged twice or without its invoice paid, nothing undecided, no email twice.</summary>
    public bool Balanced => Paid == Charges && DoubleCharges == 0 && Undecided == 0 && DuplicateEmails == 0 && DeclinedCharged == 0;

    public override string ToString() =>
        $"{Invoices} invoices: {Paid} paid, {Failed} failed, {Charges} charges, {DoubleCharges} double, {Undecided} undecided, {DeadLettered} dead-lettered, {DuplicateEmails} duplicate emails";

    /// <summary>Polls DynamoDB until every invoice is paid or failed, or <paramref name="deadline"/> passes.</summary>
    public static async Task<Dictionary<string, Invoice?>> SettleAsync(LocalServicesFixture local, LocalPipeline pipeline, IReadOnlyList<PaidInvoice> invoices, TimeSpan deadline)
    {
        var store = new DynamoDbInvoiceStore(local.DynamoDb, pipeline.Deployment.TableName("InvoicesTable"));
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            var reads = await Task.WhenAll(invoices.Select(async i => (i.InvoiceId, Invoice: await store.GetAsync(i.User, i.InvoiceId, default))));
            if (reads.All(r => r.Invoice is { Status: InvoiceStatus.Paid or InvoiceStatus.PaymentFailed }) || DateTime.UtcNow > until)
            {
                return reads.ToDictionary(r => r.InvoiceId, r => r.Invoice);
            }

            await Task.Delay(500);
        }
    }

    /// <summary>Waits until no source queue holds a message (visible or in flight) and no webhook is in delivery, three seconds running.</summary>
    public static async Task QuietAsync(LocalPipeline pipeline, TimeSpan deadline)
    {
        var config = pipeline.Deployment.Config;
        using var sqs = pipeline.Deployment.Sqs();
        var sources = new List<string>();
        foreach (var logicalId in config.FunctionNames.SelectMany(n => config.Function(n).Queues.Select(q => q.QueueLogicalId)))
        {
            sources.Add(await pipeline.Deployment.QueueUrlAsync(logicalId));
        }

        var until = DateTime.UtcNow + deadline;
        for (var quiet = 0; quiet < 3 && DateTime.UtcNow < until;)
        {
            await Task.Delay(1_000);
            var busy = pipeline.Stripe.PendingWebhooks;
            foreach (var url in sources)
            {
                var attributes = await sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
                busy += attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible;
            }

            quiet = busy == 0 ? quiet + 1 : 0;
        }
    }

    public static async Task<Ledger> CountAsync(LocalServicesFixture local, LocalPipeline pipeline, IReadOnlyList<PaidInvoice> invoices, Dictionary<string, Invoice?> finals)
    {
        var succeeded = pipeline.Stripe.PaymentIntents.Where(i => i.Status == "succeeded").GroupBy(i => i.Metadata.GetValueOrDefault("invoiceId") ?? "").ToDictionary(g => g.Key, g => g.Count());
        var deadLetters = await DeadLettersAsync(pipeline);
        bool DeadLettered(string id) => deadLetters.Any(body => body.Contains(id, StringComparison.Ordinal));
        var payers = invoices.Select(i => i.Payer).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var emails = (await local.AllEmailsAsync()).Where(m => m["to"]!.AsArray().Any(t => payers.Contains(t!["address"]!.GetValue<string>()))).ToList();
        var duplicateEmails = emails.GroupBy(m => (To: m["to"]!.ToJsonString(), Subject: m["subject"]!.GetValue<string>(), Text: m["text"]?.GetValue<string>())).Sum(g => g.Count() - 1);
        return new Ledger(
            Invoices: invoices.Count,
            Paid: finals.Values.Count(i => i?.Status == InvoiceStatus.Paid),
            Failed: finals.Values.Count(i => i?.Status == InvoiceStatus.PaymentFailed),
            Charges: invoices.Sum(i => succeeded.GetValueOrDefault(i.InvoiceId)),
            DoubleCharges: invoices.Count(i => succeeded.GetValueOrDefault(i.InvoiceId) > 1),
            Undecided: finals.Count(f => f.Value is not { Status: InvoiceStatus.Paid or InvoiceStatus.PaymentFailed } && !DeadLettered(f.Key)),
            DeadLettered: invoices.Count(i => DeadLettered(i.InvoiceId)),
            DuplicateEmails: duplicateEmails,
            DeclinedCharged: invoices.Count(i => i.Declined && succeeded.GetValueOrDefault(i.InvoiceId) > 0));
    }

    /// <summary>The bodies of every message in the queues where failures end: every queue no function reads.</summary>
    private static async Task<List<string>> DeadLettersAsync(LocalPipeline pipeline)
    {
        var config = pipeline.Deployment.Config;
        var sources = config.FunctionNames.SelectMany(n => config.Function(n).Queues.Select(q => q.QueueLogicalId)).ToHashSet(StringComparer.Ordinal);
        using var sqs = pipeline.Deployment.Sqs();
        var bodies = new List<string>();
        foreach (var (logicalId, _) in config.ResourcesOfType("AWS::SQS::Queue").Where(q => !sources.Contains(q.LogicalId)))
        {
            var url = await pipeline.Deployment.QueueUrlAsync(logicalId);
            for (var received = -1; received != 0;)
            {
                var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, VisibilityTimeout = 300 });
                received = response.Messages?.Count ?? 0;
                bodies.AddRange((response.Messages ?? []).Select(m => m.Body));
            }
        }

        return bodies;
    }
}
