using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Local;
using PayMyInvoice.StripeEmulator;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>
/// Issue 9, item 3: invoices created and paid concurrently over HTTP on the whole local pipeline, with duplicated pay
/// requests, duplicated queue deliveries and random Stripe faults, then a ledger counted from outside: charges on
/// the Stripe emulator, final states in DynamoDB, dead-letter queues, and emails in maildev.
/// </summary>
[Collection(LocalServicesCollection.Name)]
[Trait("Category", ReliabilityRun.Category)]
public sealed class LoadLedgerTests(LocalServicesFixture local) : IAsyncLifetime
{
    private const double DuplicatePayShare = 0.2;
    private const double DuplicateDeliveryShare = 0.2;
    private const double StripeFaultRate = 0.1;
    private const string DeclinedCard = "pm_card_chargeDeclined";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private LocalPipeline _pipeline = null!;

    public async Task InitializeAsync()
    {
        _pipeline = await local.StartPipelineAsync();
        await _pipeline.DrainAsync(CancellationToken.None); // the seeded samples' own events
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _pipeline.DisposeAsync();
    }

    [Fact]
    public async Task Invoices_paid_under_load_with_duplicates_and_Stripe_faults_are_each_charged_once_and_settled()
    {
        var count = ReliabilityRun.Pick(test: 30, quick: 150, full: 2_000);
        var random = new Random(20261128);
        using var stop = new CancellationTokenSource();
        var duplicator = await DeliveryDuplicator.StartAsync(_pipeline.Deployment, DuplicateDeliveryShare, seed: 7, stop.Token);
        _pipeline.Stripe.FailRandomly(StripeFaultRate, [FaultKind.ServerError, FaultKind.RateLimited, FaultKind.RateLimitError], seed: 11);
        var running = _pipeline.RunAsync(stop.Token);
        var latencies = new ConcurrentDictionary<string, ConcurrentBag<double>>();
        var answers = new ConcurrentDictionary<string, int>();
        var clock = Stopwatch.StartNew();

        var plans = Enumerable.Range(0, count).Select(i => new PaymentPlan(
            i,
            User: $"us-east-1:{_run}-0000-4000-8000-{i % 5:D12}",
            Card: random.NextDouble() < 0.1 ? DeclinedCard : "pm_card_visa",
            Duplicated: random.NextDouble() < DuplicatePayShare)).ToList();
        var invoiceIds = new ConcurrentDictionary<int, string>();
        await Parallel.ForEachAsync(plans, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (plan, ct) =>
        {
            var created = await TimedAsync("createInvoice", HttpMethod.Post, "/invoices", plan.User, CreateBody(plan), null, latencies, answers);
            if (created.StatusCode == HttpStatusCode.Created)
            {
                var id = (await created.Content.ReadFromJsonAsync<JsonNode>(ct))!["invoiceId"]!.GetValue<string>();
                invoiceIds[plan.Index] = id;
                var pay = new Func<Task<HttpResponseMessage>>(() => TimedAsync("payInvoice", HttpMethod.Post, $"/invoices/{id}/pay", plan.User, $$"""{"paymentMethodId":"{{plan.Card}}"}""", $"pay-{plan.Index}", latencies, answers));
                await (plan.Duplicated ? Task.WhenAll(pay(), pay()) : (Task)pay());
            }
        });
        var requestSeconds = clock.Elapsed.TotalSeconds;

        var store = new DynamoDbInvoiceStore(local.DynamoDb, _pipeline.Deployment.TableName("InvoicesTable"));
        var deadline = TimeSpan.FromSeconds(ReliabilityRun.Pick(test: 120, quick: 300, full: 1_800));
        Dictionary<int, Invoice?> finals;
        while (true)
        {
            finals = await ReadAllAsync(store, plans, invoiceIds);
            if (finals.Values.All(i => i is { Status: InvoiceStatus.Paid or InvoiceStatus.PaymentFailed }) || clock.Elapsed > deadline)
            {
                break;
            }

            await Task.Delay(1_000);
        }

        var settledSeconds = clock.Elapsed.TotalSeconds;
        await WaitForQuietAsync(); // the last receipts and duplicates, so that the email ledger is complete
        _pipeline.Stripe.FailRandomly(0, [], 0);
        await stop.CancelAsync();
        await Task.WhenAll(running.ContinueWith(_ => { }, TaskScheduler.Default), duplicator.Completion);

        var ledger = await LedgerAsync(plans, invoiceIds, finals);
        var figures = new
        {
            invoices = count,
            created = invoiceIds.Count,
            ledger.Paid,
            ledger.Failed,
            charges = ledger.Charges,
            doubleCharges = ledger.DoubleCharges,
            undecided = ledger.Undecided,
            deadLettered = ledger.DeadLettered,
            duplicateEmails = ledger.DuplicateEmails,
            declinedCharged = ledger.DeclinedCharged,
            duplicatedPayRequests = plans.Count(p => p.Duplicated),
            duplicatedDeliveries = duplicator.Duplicated,
            stripeFaults = _pipeline.Stripe.FaultsInjected.ToDictionary(f => f.Key.ToString(), f => f.Value),
            stripeApiCalls = _pipeline.Stripe.ApiCalls,
            answers = answers.OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary(),
            requestSeconds = Math.Round(requestSeconds, 1),
            settledSeconds = Math.Round(settledSeconds, 1),
            throughputPerSecond = Math.Round(count / settledSeconds, 1),
            requestsPerSecond = Math.Round(latencies.Values.Sum(l => l.Count) / requestSeconds, 1),
            p50Ms = latencies.ToDictionary(l => l.Key, l => Percentile(l.Value, 0.50)),
            p99Ms = latencies.ToDictionary(l => l.Key, l => Percentile(l.Value, 0.99)),
        };
        ReliabilityRun.Record("load", "ledger", figures);

        Assert.Equal(count, invoiceIds.Count);
        Assert.DoesNotContain(answers.Keys, a => a.EndsWith(" 5xx", StringComparison.Ordinal));
        Assert.Equal(ledger.Paid, ledger.Charges);
        Assert.Equal(0, ledger.DoubleCharges);
        Assert.Equal(0, ledger.Undecided);
        Assert.Equal(0, ledger.DuplicateEmails);
        Assert.Equal(0, ledger.DeclinedCharged);
        Assert.True(ledger.Paid > 0, "nothing was paid at all");
    }

    private sealed record PaymentPlan(int Index, string User, string Card, bool Duplicated);

    private sealed record Ledger(int Paid, int Failed, int Charges, int DoubleCharges, int Undecided, int DeadLettered, int DuplicateEmails, int DeclinedCharged);

    private string CreateBody(PaymentPlan plan) => $$"""
        {"payerEmail":"{{Payer(plan.Index)}}","issuerEmail":"issuer-{{_run}}-{{plan.Index % 5}}@example.com","description":"Load {{_run}} #{{plan.Index}}",
         "amount":{{1_000 + plan.Index}},"currency":"USD","dueDate":"2030-01-31","status":"open"}
        """;

    private string Payer(int index) => $"payer-{_run}-{index}@example.com";

    private async Task<HttpResponseMessage> TimedAsync(
        string route, HttpMethod method, string path, string user, string body, string? idempotencyKey,
        ConcurrentDictionary<string, ConcurrentBag<double>> latencies, ConcurrentDictionary<string, int> answers)
    {
        using var request = new HttpRequestMessage(method, new Uri(_pipeline.Gateway.BaseUrl, path))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
            Headers = { { LocalApiGateway.IdentityHeader, user } },
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        var started = Stopwatch.GetTimestamp();
        var response = await _http.SendAsync(request);
        latencies.GetOrAdd(route, _ => []).Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        var status = (int)response.StatusCode;
        answers.AddOrUpdate(status >= 500 ? $"{route} 5xx" : $"{route} {status}", 1, (_, n) => n + 1);
        return response;
    }

    private static async Task<Dictionary<int, Invoice?>> ReadAllAsync(DynamoDbInvoiceStore store, List<PaymentPlan> plans, ConcurrentDictionary<int, string> ids)
    {
        var reads = await Task.WhenAll(plans.Where(p => ids.ContainsKey(p.Index)).Select(async p => (p.Index, Invoice: await store.GetAsync(p.User, ids[p.Index], default))));
        return reads.ToDictionary(r => r.Index, r => r.Invoice);
    }

    /// <summary>Waits until no queue holds a message (visible or in flight) and no webhook is being delivered.</summary>
    private async Task WaitForQuietAsync()
    {
        using var sqs = _pipeline.Deployment.Sqs();
        var sources = new List<string>();
        foreach (var name in _pipeline.Deployment.Config.FunctionNames)
        {
            foreach (var queue in _pipeline.Deployment.Config.Function(name).Queues)
            {
                sources.Add(await _pipeline.Deployment.QueueUrlAsync(queue.QueueLogicalId));
            }
        }

        for (var quiet = 0; quiet < 3;)
        {
            await Task.Delay(1_000);
            var busy = _pipeline.Stripe.PendingWebhooks;
            foreach (var url in sources)
            {
                var attributes = await sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
                busy += attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible;
            }

            quiet = busy == 0 ? quiet + 1 : 0;
        }
    }

    private async Task<Ledger> LedgerAsync(List<PaymentPlan> plans, ConcurrentDictionary<int, string> ids, Dictionary<int, Invoice?> finals)
    {
        var succeeded = _pipeline.Stripe.PaymentIntents.Where(i => i.Status == "succeeded").GroupBy(i => i.Metadata.GetValueOrDefault("invoiceId") ?? "").ToDictionary(g => g.Key, g => g.Count());
        var deadLetters = await DeadLettersAsync();
        var undecided = finals.Count(f => f.Value is not { Status: InvoiceStatus.Paid or InvoiceStatus.PaymentFailed } && !deadLetters.Any(body => body.Contains(ids[f.Key], StringComparison.Ordinal)));
        var all = (await local.AllEmailsAsync()).Where(m => m["subject"]!.GetValue<string>().Contains(_run, StringComparison.Ordinal) || m["to"]!.AsArray().Any(t => t!["address"]!.GetValue<string>().Contains(_run, StringComparison.Ordinal))).ToList();
        var duplicates = all.GroupBy(m => (To: string.Join(',', m["to"]!.AsArray().Select(t => t!["address"]!.GetValue<string>())), Subject: m["subject"]!.GetValue<string>(), Text: m["text"]?.GetValue<string>())).Sum(g => g.Count() - 1);
        return new Ledger(
            Paid: finals.Values.Count(i => i?.Status == InvoiceStatus.Paid),
            Failed: finals.Values.Count(i => i?.Status == InvoiceStatus.PaymentFailed),
            Charges: ids.Values.Sum(id => succeeded.GetValueOrDefault(id)),
            DoubleCharges: ids.Values.Count(id => succeeded.GetValueOrDefault(id) > 1),
            Undecided: undecided,
            DeadLettered: finals.Keys.Count(k => deadLetters.Any(body => body.Contains(ids[k], StringComparison.Ordinal))),
            DuplicateEmails: duplicates,
            DeclinedCharged: plans.Count(p => p.Card == DeclinedCard && ids.TryGetValue(p.Index, out var id) && succeeded.GetValueOrDefault(id) > 0));
    }

    /// <summary>The bodies of every message in the queues where failures end (dead-letter and on-failure queues).</summary>
    private async Task<List<string>> DeadLettersAsync()
    {
        var config = _pipeline.Deployment.Config;
        var sources = config.FunctionNames.SelectMany(n => config.Function(n).Queues.Select(q => q.QueueLogicalId)).ToHashSet(StringComparer.Ordinal);
        using var sqs = _pipeline.Deployment.Sqs();
        var bodies = new List<string>();
        foreach (var (logicalId, _) in config.ResourcesOfType("AWS::SQS::Queue").Where(q => !sources.Contains(q.LogicalId)))
        {
            var url = await _pipeline.Deployment.QueueUrlAsync(logicalId);
            for (var received = -1; received != 0;)
            {
                var response = await sqs.ReceiveMessageAsync(new Amazon.SQS.Model.ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, VisibilityTimeout = 300 });
                received = response.Messages?.Count ?? 0;
                bodies.AddRange((response.Messages ?? []).Select(m => m.Body));
            }
        }

        return bodies;
    }

    private static double Percentile(IEnumerable<double> values, double quantile)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)], 1);
    }
}
