using System.Net;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Local;
using PayMyInvoice.StripeEmulator;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>
/// Issue 9, item 2: faults injected into the running local stack while invoices are paid. After each, every invoice
/// is paid or failed with its reason, or its message is in a dead-letter queue; no payment is charged twice; no email
/// is sent twice. Services are taken away through <see cref="CuttableLink"/>s; Stripe's faults come from the emulator.
/// </summary>
[Collection(LocalServicesCollection.Name)]
[Trait("Category", ReliabilityRun.Category)]
public sealed class FaultTests(LocalServicesFixture local)
{
    private static readonly TimeSpan SettleWithin = TimeSpan.FromSeconds(120);
    private readonly int _count = ReliabilityRun.Pick(test: 4, quick: 10, full: 40);

    [Theory]
    [InlineData("stripe answers 500", FaultKind.ServerError)]
    [InlineData("stripe answers 429", FaultKind.RateLimited)]
    [InlineData("stripe answers slowly, after the client gave up", FaultKind.Slow)]
    [InlineData("stripe does not answer", FaultKind.Hang)]
    [InlineData("stripe charges, then answers after the client gave up", FaultKind.LateAnswer)]
    public async Task A_Stripe_fault_is_retried_until_each_invoice_is_paid_once(string name, FaultKind kind)
    {
        var outcome = await RunAsync(name, async scenario =>
        {
            // A one-second budget per Stripe call, so that slow and silent answers are given up on quickly.
            scenario.Pipeline.Deployment.UpdateFunctionConfiguration("billingWorker", environment: new Dictionary<string, string> { ["STRIPE_TIMEOUT_SECONDS"] = "1" });
            scenario.Pipeline.Stripe.SlowDelay = TimeSpan.FromSeconds(2);
            scenario.Pipeline.Stripe.FailNext(_count * 2, kind);
            await scenario.PayAllAsync();
        });

        Verify(outcome, () => Assert.Equal(_count, outcome.Ledger!.Paid));
    }

    [Fact]
    public async Task A_rejected_Stripe_key_fails_each_payment_with_its_reason_and_charges_nothing()
    {
        var outcome = await RunAsync("stripe answers 401", async scenario =>
        {
            scenario.Pipeline.Stripe.FailNext(_count * 10, FaultKind.AuthenticationError);
            await scenario.PayAllAsync();
        });

        Verify(outcome, () =>
        {
            Assert.Equal((0, _count), (outcome.Ledger!.Charges, outcome.Ledger.Failed));
            Assert.All(outcome.Finals.Values, i => Assert.Equal("processing_error", i!.Payment!.FailureCode));
        });
    }

    [Fact]
    public async Task Emails_held_up_by_a_stopped_SMTP_server_are_each_sent_once_when_it_is_back()
    {
        await using var smtp = CuttableLink.Start(local.Services.Smtp);
        var inboxes = new List<int>();
        var outcome = await RunAsync("smtp server stopped for a while", async scenario =>
        {
            smtp.Cut();
            await scenario.PayAllAsync();
            await Task.Delay(Outage);
            smtp.Restore();
        }, e => e with { Smtp = smtp.Url }, OutageTimeScale);
        foreach (var payer in outcome.Invoices.Select(i => i.Payer))
        {
            inboxes.Add((await local.InboxAsync(payer)).Count);
        }

        Verify(outcome, () =>
        {
            Assert.Equal(_count, outcome.Ledger!.Paid);
            Assert.True(smtp.Refused > 0, "the outage never touched the notifications");
            Assert.All(inboxes, count => Assert.Equal(2, count)); // the invoice and its receipt, once each
        });
    }

    [Fact]
    public async Task While_DynamoDB_is_unreachable_the_API_answers_503_with_Retry_After_and_writes_nothing()
    {
        await using var dynamo = CuttableLink.Start(local.Services.DynamoDb);
        var during = new List<(HttpStatusCode Status, bool RetryAfter)>();
        var afterwards = "";
        var outcome = await RunAsync("dynamodb stopped under traffic", async scenario =>
        {
            await scenario.PayAllAsync(); // the workers take the payments up while the table goes away
            dynamo.Cut();
            foreach (var (route, method, path, body) in new[]
            {
                ("createInvoice", HttpMethod.Post, "/invoices", """{"payerEmail":"nobody@example.com","description":"during the outage","amount":100,"currency":"USD","dueDate":"2030-01-31"}"""),
                ("listInvoices", HttpMethod.Get, "/invoices", null),
                ("getInvoice", HttpMethod.Get, $"/invoices/{scenario.Invoices[0].InvoiceId}", null),
            })
            {
                using var response = await scenario.Api.SendAsync(route, method, path, scenario.User, body);
                during.Add((response.StatusCode, response.Headers.RetryAfter is not null));
            }

            await Task.Delay(Outage);
            dynamo.Restore();
            using var list = await scenario.Api.SendAsync("listInvoices", HttpMethod.Get, "/invoices", scenario.User);
            afterwards = await list.Content.ReadAsStringAsync();
            await scenario.ReconcileWhenStuckAsync(local);
        }, e => e with { DynamoDb = dynamo.Url }, OutageTimeScale);

        Verify(outcome, () =>
        {
            Assert.All(during, answer => Assert.Equal((HttpStatusCode.ServiceUnavailable, true), answer));
            Assert.Equal(_count, outcome.Ledger!.Paid);
            Assert.DoesNotContain("during the outage", afterwards, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Events_held_up_by_a_stopped_SQS_and_SNS_flow_on_when_they_are_back()
    {
        await using var fauxqs = CuttableLink.Start(local.Services.Fauxqs);
        var outcome = await RunAsync("fauxqs (sqs, sns) stopped for a while", async scenario =>
        {
            await scenario.PayAllAsync();
            fauxqs.Cut();
            await Task.Delay(Outage);
            fauxqs.Restore();
        }, e => e with { Fauxqs = fauxqs.Url }, OutageTimeScale);

        Verify(outcome, () => Assert.Equal(_count, outcome.Ledger!.Paid));
    }

    /// <summary>
    /// How long a service stays away, and the time scale outages run at: at 0.05 a notification comes back after 3 s
    /// and a billing message after 9 s, so a 2 s outage is a few redeliveries at most, well within the 5 receives before
    /// the dead-letter queue (deployed: an outage of 40 s against 60 s and 180 s visibility timeouts).
    /// </summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(2);

    private const double OutageTimeScale = 0.05;

    /// <summary>Records the scenario as passed only when the ledger balances and <paramref name="assertions"/> hold.</summary>
    private static void Verify(Scenario outcome, Action assertions)
    {
        try
        {
            Assert.True(outcome.Ledger!.Balanced, outcome.Ledger.ToString());
            assertions();
            ReliabilityRun.Record("faults", Slug(outcome.Name), new { name = outcome.Name, passed = true, detail = outcome.Detail });
        }
        catch (Exception failure)
        {
            ReliabilityRun.Record("faults", Slug(outcome.Name), new { name = outcome.Name, passed = false, detail = $"{failure.Message} ({outcome.Detail})" });
            throw;
        }
    }

    private async Task<Scenario> RunAsync(string name, Func<Scenario, Task> inject, Func<LocalEndpoints, LocalEndpoints>? route = null, double timeScale = LocalServicesFixture.TestTimeScale)
    {
        var pipeline = await local.StartPipelineAsync(timeScale: timeScale, route: route);
        await using var _ = pipeline;
        await pipeline.DrainAsync(CancellationToken.None); // the seeded samples' own events
        var run = Guid.NewGuid().ToString("N")[..8];
        using var api = new TimedApi(pipeline.Gateway.BaseUrl, run);
        var user = $"us-east-1:{run}-0000-4000-8000-000000000001";
        var invoices = new List<PaidInvoice>();
        for (var i = 0; i < _count; i++)
        {
            invoices.Add(new PaidInvoice(user, (await api.CreateAsync(user, i))!, api.Payer(i), Declined: false));
        }

        using var stop = new CancellationTokenSource();
        var running = pipeline.RunAsync(stop.Token);
        var scenario = new Scenario(name, pipeline, api, user, invoices);
        try
        {
            await inject(scenario);
            var finals = await Ledger.SettleAsync(local, pipeline, invoices, SettleWithin);
            await Ledger.QuietAsync(pipeline, SettleWithin);
            await stop.CancelAsync();
            await running.ContinueWith(_ => { }, TaskScheduler.Default);
            var ledger = await Ledger.CountAsync(local, pipeline, invoices, finals);
            var detail = $"{ledger}{(scenario.Reconciled is { } reconciled ? $" after one reconcilePayments run ({(reconciled ? "ok" : "failed")})" : "")}; HTTP answers: {string.Join(", ", api.Answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} ×{a.Value}"))}; Stripe faults: {string.Join(", ", pipeline.Stripe.FaultsInjected.Select(f => $"{f.Key} ×{f.Value}"))}";
            return scenario with { Ledger = ledger, Finals = finals, Detail = detail };
        }
        catch (Exception error)
        {
            ReliabilityRun.Record("faults", Slug(name), new { name, passed = false, detail = error.Message });
            throw;
        }
    }

    private static string Slug(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());

    private sealed record Scenario(string Name, LocalPipeline Pipeline, TimedApi Api, string User, List<PaidInvoice> Invoices)
    {
        public Ledger? Ledger { get; init; }

        public string Detail { get; init; } = "";

        public Dictionary<string, Invoice?> Finals { get; init; } = [];

        /// <summary>
        /// What the 15-minute reconcilePayments schedule does for payments whose worker could not record them (a claim
        /// or a charge made while the table was away, the message dead-lettered): once the billing queue's redrive is
        /// over, it asks Stripe. Run here with its threshold scaled like the queues.
        /// </summary>
        public async Task ReconcileWhenStuckAsync(LocalServicesFixture local)
        {
            var settled = await Ledger.SettleAsync(local, Pipeline, Invoices, TimeSpan.FromSeconds(60));
            if (settled.Values.All(i => i is { Status: InvoiceStatus.Paid or InvoiceStatus.PaymentFailed }))
            {
                return;
            }

            Pipeline.Deployment.UpdateFunctionConfiguration("reconcilePayments", environment: new Dictionary<string, string> { ["RECONCILE_PROCESSING_AFTER_SECONDS"] = "1" });
            var schedule = await File.ReadAllBytesAsync(Path.Combine(RepositoryRoot.Find(), "mocks", "reconcilePayments.json"));
            Reconciled = (await Pipeline.Deployment.InvokeAsync("reconcilePayments", schedule, CancellationToken.None)).Error is null;
        }

        /// <summary>Whether the reconciler had to run (null: it did not).</summary>
        public bool? Reconciled { get; private set; }

        public async Task PayAllAsync()
        {
            foreach (var invoice in Invoices)
            {
                Assert.Equal(HttpStatusCode.Accepted, await Api.PayAsync(User, invoice.InvoiceId, "pm_card_visa", $"pay-{invoice.InvoiceId}"));
            }
        }
    }
}
