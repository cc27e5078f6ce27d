using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.ScheduledEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Infrastructure.Stripe;
using PayMyInvoice.Local;
using PayMyInvoice.Local.EventSources;
using PayMyInvoice.StripeEmulator;
using PayMyInvoice.Tests;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// reconcilePayments on local services, fired by its serverless.yml schedule as `start` fires it: DynamoDB Local's
/// PendingPayments index, the stream and billing queue on fauxqs, the Stripe emulator through Stripe.net. Thresholds
/// are shortened through the function's configuration (as UpdateFunctionConfiguration would), not by editing the
/// table. Charges are counted on the emulator's side.
/// </summary>
[Collection(LocalServicesCollection.Name)]
public sealed class ReconcileTests(LocalServicesFixture local) : IAsyncLifetime
{
    private static readonly TimeSpan ShortThreshold = TimeSpan.FromSeconds(1);
    private StripeEmulatorServer _stripe = null!;
    private LocalPipeline _pipeline = null!;
    private LocalDeployment _deployment = null!;
    private StreamEventSource _stream = null!;
    private QueueEventSource _billing = null!;
    private ScheduleEventSource _schedule = null!;
    private AmazonSQSClient _sqs = null!;
    private DynamoDbInvoiceStore _store = null!;
    private int _chargesBefore;

    private int Charges => _stripe.Charges - _chargesBefore;

    public async Task InitializeAsync()
    {
        _pipeline = await local.StartPipelineAsync();
        _stripe = _pipeline.Stripe;
        _deployment = _pipeline.Deployment;
        _stream = _pipeline.Stream("invoiceStream");
        _billing = _pipeline.Queue("billingWorker");
        _sqs = _deployment.Sqs();
        _store = new DynamoDbInvoiceStore(local.DynamoDb, _deployment.TableName("InvoicesTable"));
        _schedule = Assert.Single(_pipeline.Schedules, s => s.FunctionName == "reconcilePayments");

        // The seeded sample invoice that waits in processing is charged first; the tests count from there.
        await _stream.DrainAsync(CancellationToken.None);
        await _billing.DrainAsync(CancellationToken.None);
        _chargesBefore = _stripe.Charges;
    }

    public async Task DisposeAsync()
    {
        _sqs.Dispose();
        await _pipeline.DisposeAsync();
    }

    [Fact]
    public void The_local_stack_schedules_it_every_15_minutes_from_serverless_yml() =>
        Assert.Equal("rate(15 minutes)", _schedule.Expression);

    [Fact]
    public async Task A_billing_message_in_the_dead_letter_queue_is_requeued_by_one_run_and_then_charged_once()
    {
        var id = await StuckInProcessingAsync();

        var run = await ReconcileAsync();

        Assert.Equal((1, 1, 0), (run.Examined, run.Requeued, run.Failed));
        Assert.Equal(0, Charges);
        await _stream.DrainAsync(CancellationToken.None); // the re-queue mark → PaymentRequested → the billing queue
        Assert.Equal(1, await _billing.DrainAsync(CancellationToken.None));
        var invoice = await GetAsync(id);
        Assert.Equal(InvoiceStatus.Paid, invoice.Status);
        Assert.Equal(1, Charges);
        Assert.NotNull(invoice.Payment!.RequeuedAt);

        // Paid invoices leave the index: the next run finds nothing, and nothing is charged again.
        await Task.Delay(ShortThreshold);
        Assert.Equal(0, (await ReconcileAsync()).Examined);
        Assert.Equal(1, Charges);
    }

    [Fact]
    public async Task A_requeued_payment_that_fails_again_is_failed_with_processing_error_by_the_next_run_and_never_charged()
    {
        var id = await StuckInProcessingAsync();
        Assert.Equal(1, (await ReconcileAsync()).Requeued);

        // Stripe is down for the re-queued message's every receive too: it reaches the dead-letter queue again.
        await _stream.DrainAsync(CancellationToken.None);
        _stripe.FailNext(15, FaultKind.ServerError); // 5 receives × Stripe.net's 3 tries
        await _billing.DrainAsync(CancellationToken.None);
        Assert.Equal(InvoiceStatus.Processing, (await GetAsync(id)).Status);
        Assert.Equal(2, (await ReceiveAllAsync("BillingDeadLetterQueue")).Count); // the first message, and the re-queued one
        await Task.Delay(ShortThreshold + TimeSpan.FromMilliseconds(200));

        var run = await ReconcileAsync();

        Assert.Equal((1, 0, 1), (run.Examined, run.Requeued, run.Failed));
        var invoice = await GetAsync(id);
        Assert.Equal((InvoiceStatus.PaymentFailed, PaymentFailureMessages.ProcessingError), (invoice.Status, invoice.Payment!.FailureCode));
        Assert.Equal(PaymentFailureMessages.For(PaymentFailureMessages.ProcessingError), invoice.Payment.FailureMessage);
        Assert.Equal(0, Charges);
        Assert.DoesNotContain(_stripe.PaymentIntents, i => i.Metadata.GetValueOrDefault("invoiceId") == id);
    }

    [Fact]
    public async Task A_payment_Stripe_charged_whose_outcome_was_never_recorded_is_paid_after_one_run_and_never_charged_twice()
    {
        Shorten();
        var id = await IssueAndPayAsync("pm_card_visa");
        var message = await KillBillingMessageAsync();

        // A billing worker charged it through Stripe.net and died before recording the outcome.
        var invoice = await GetAsync(id);
        var gateway = StripePaymentGateway.FromSettings(name => name switch
        {
            StripePaymentGateway.SecretKeyVariable => "sk_test_reconcile",
            StripePaymentGateway.ApiBaseVariable => _stripe.BaseUrl.ToString().TrimEnd('/'),
            _ => null,
        });
        var charge = await gateway.ChargeAsync(
            new ChargeRequest(invoice.Payment!.PaymentId, ApiCalls.Alice, id, invoice.Details.Amount, invoice.Details.Currency, invoice.Payment.PaymentMethodId!),
            DateTimeOffset.UtcNow.AddSeconds(30),
            CancellationToken.None);
        Assert.Equal(ChargeStatus.Succeeded, charge.Status);
        Assert.Equal(1, Charges);
        await Task.Delay(ShortThreshold + TimeSpan.FromMilliseconds(200));

        var run = await ReconcileAsync();

        Assert.Equal((1, 1, 0, 0), (run.Examined, run.Settled, run.Requeued, run.Failed));
        invoice = await GetAsync(id);
        Assert.Equal((InvoiceStatus.Paid, charge.PaymentIntentId), (invoice.Status, invoice.Payment!.PaymentIntentId));

        // The dead message redriven to the billing queue later changes nothing.
        await _sqs.SendMessageAsync(await _deployment.QueueUrlAsync("BillingQueue"), message);
        await _billing.DrainAsync(CancellationToken.None);
        Assert.Equal(1, Charges);
        Assert.Equal(InvoiceStatus.Paid, (await GetAsync(id)).Status);
    }

    [Fact]
    public async Task Invoices_newer_than_the_threshold_are_left_alone_and_Stripe_is_not_asked()
    {
        // serverless.yml's thresholds: 15 minutes in processing, a day in requires_action.
        var processing = await IssueAndPayAsync("pm_card_visa");
        await KillBillingMessageAsync();
        var action = await IssueAndPayAsync("pm_card_authenticationRequired");
        await _billing.DrainAsync(CancellationToken.None);
        Assert.Equal(InvoiceStatus.RequiresAction, (await GetAsync(action)).Status);
        var calls = _stripe.ApiCalls;

        var run = await ReconcileAsync();

        Assert.Equal(0, run.Examined);
        Assert.Equal(calls, _stripe.ApiCalls);
        Assert.Equal(InvoiceStatus.Processing, (await GetAsync(processing)).Status);
        Assert.Equal(InvoiceStatus.RequiresAction, (await GetAsync(action)).Status);
    }

    [Fact]
    public async Task Authentication_never_completed_is_cancelled_at_Stripe_and_failed_with_action_expired()
    {
        _deployment.UpdateFunctionConfiguration("reconcilePayments", environment: new Dictionary<string, string> { [ReconcileSettings.RequiresActionAfterVariable] = "1" });
        var id = await IssueAndPayAsync("pm_card_authenticationRequired");
        await _billing.DrainAsync(CancellationToken.None);
        var intentId = (await GetAsync(id)).Payment!.PaymentIntentId!;
        await Task.Delay(ShortThreshold + TimeSpan.FromMilliseconds(200));

        var run = await ReconcileAsync();

        Assert.Equal((1, 1), (run.Examined, run.Failed));
        var invoice = await GetAsync(id);
        Assert.Equal((InvoiceStatus.PaymentFailed, PaymentFailureMessages.ActionExpired), (invoice.Status, invoice.Payment!.FailureCode));
        Assert.Equal("canceled", _stripe.PaymentIntents.Single(i => i.Id == intentId).Status);
        Assert.Equal(0, Charges);
    }

    [Fact]
    public async Task The_index_holds_only_invoices_awaiting_a_payment_keyed_by_their_status_and_since_when()
    {
        var draft = await CreateAsync("draft");
        var open = await CreateAsync("open");
        var processing = await IssueAndPayAsync("pm_card_visa");
        await KillBillingMessageAsync();
        var action = await IssueAndPayAsync("pm_card_authenticationRequired");
        var paid = await IssueAndPayAsync("pm_card_visa");
        var failed = await IssueAndPayAsync("pm_card_chargeDeclined");
        await _billing.DrainAsync(CancellationToken.None);
        Assert.Equal(
            [InvoiceStatus.Draft, InvoiceStatus.Open, InvoiceStatus.Processing, InvoiceStatus.RequiresAction, InvoiceStatus.Paid, InvoiceStatus.PaymentFailed],
            [(await GetAsync(draft)).Status, (await GetAsync(open)).Status, (await GetAsync(processing)).Status, (await GetAsync(action)).Status, (await GetAsync(paid)).Status, (await GetAsync(failed)).Status]);

        var indexed = (await local.DynamoDb.ScanAsync(new ScanRequest { TableName = _deployment.TableName("InvoicesTable"), IndexName = "PendingPayments" })).Items;

        Assert.Equal(
            new[] { (processing, "processing"), (action, "requires_action") }.Order().ToArray(),
            indexed.Select(i => (i["invoiceId"].S, i["pending"].S)).Order().ToArray());
        foreach (var item in indexed)
        {
            var stored = await GetAsync(item["invoiceId"].S);
            Assert.Equal(stored.PendingSince, DateTimeOffset.Parse(item["pendingSince"].S, System.Globalization.CultureInfo.InvariantCulture));
        }

        // And the reconciler reads it with a query per status, not a scan.
        Assert.Equal([(ApiCalls.Alice, processing)], await ToListAsync(_store.ListPendingAsync(InvoiceStatus.Processing, DateTimeOffset.UtcNow.AddSeconds(1), default)));
        Assert.Empty(await ToListAsync(_store.ListPendingAsync(InvoiceStatus.Processing, DateTimeOffset.UtcNow.AddMinutes(-5), default)));
    }

    [Fact]
    public async Task Stripe_failing_during_a_run_leaves_the_invoice_for_the_next_run_which_decides_it()
    {
        var id = await StuckInProcessingAsync();
        _stripe.FailNext(3, FaultKind.ServerError); // the search, and Stripe.net's two retries of it

        var failed = await ReconcileAsync();
        var next = await ReconcileAsync();

        Assert.Equal((1, 1, 0), (failed.Examined, failed.Errors, failed.Requeued));
        Assert.Equal(InvoiceStatus.Processing, (await GetAsync(id)).Status);
        Assert.Equal((1, 0, 1), (next.Examined, next.Errors, next.Requeued));
    }

    [Fact]
    public async Task The_emulator_answers_a_metadata_search_as_Stripe_does()
    {
        var id = await IssueAndPayAsync("pm_card_visa");
        await _billing.DrainAsync(CancellationToken.None);
        var paymentId = (await GetAsync(id)).Payment!.PaymentId;
        using var http = new HttpClient { BaseAddress = _stripe.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new("Bearer", StripeEmulatorServer.ApiKey);

        async Task<JsonNode> SearchAsync(string query) =>
            JsonNode.Parse(await http.GetStringAsync("/v1/payment_intents/search?query=" + Uri.EscapeDataString(query)))!;

        var found = await SearchAsync($"metadata['paymentId']:'{paymentId}'");
        Assert.Equal(("search_result", false, "/v1/payment_intents/search"), (found["object"]!.GetValue<string>(), found["has_more"]!.GetValue<bool>(), found["url"]!.GetValue<string>()));
        var intent = Assert.Single(found["data"]!.AsArray())!;
        Assert.Equal(("payment_intent", "succeeded", id), (intent["object"]!.GetValue<string>(), intent["status"]!.GetValue<string>(), intent["metadata"]!["invoiceId"]!.GetValue<string>()));
        Assert.Empty((await SearchAsync(StripePaymentLookup.MetadataQuery("paymentId", "pay_' OR status:'succeeded")))["data"]!.AsArray());
    }

    /// <summary>An invoice paid whose billing message went to the dead-letter queue, older than a shortened threshold.</summary>
    private async Task<string> StuckInProcessingAsync()
    {
        Shorten();
        var id = await IssueAndPayAsync("pm_card_visa");
        await KillBillingMessageAsync();
        await Task.Delay(ShortThreshold + TimeSpan.FromMilliseconds(200));
        return id;
    }

    private void Shorten() =>
        _deployment.UpdateFunctionConfiguration("reconcilePayments", environment: new Dictionary<string, string> { [ReconcileSettings.ProcessingAfterVariable] = "1" });

    /// <summary>Fires the schedule once, as the EventBridge rule (and `start`) would.</summary>
    private async Task<ReconcileRunResponse> ReconcileAsync()
    {
        var outcome = await _schedule.FireAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Null(outcome.Error);
        return JsonSerializer.Deserialize(outcome.Response, ContractsJsonContext.Wire.ReconcileRunResponse)!;
    }

    /// <summary>Moves the one waiting billing message to the dead-letter queue, as five failed receives would; answers its body.</summary>
    private async Task<string> KillBillingMessageAsync()
    {
        var queueUrl = await _deployment.QueueUrlAsync("BillingQueue");
        var message = Assert.Single((await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, WaitTimeSeconds = 1 })).Messages);
        await _sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle);
        await _sqs.SendMessageAsync(await _deployment.QueueUrlAsync("BillingDeadLetterQueue"), message.Body);
        return message.Body;
    }

    private async Task<List<Message>> ReceiveAllAsync(string logicalId)
    {
        var response = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = await _deployment.QueueUrlAsync(logicalId), MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
        return response.Messages ?? [];
    }

    private async Task<Invoice> GetAsync(string id) => (await _store.GetAsync(ApiCalls.Alice, id, default))!;

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    private async Task<string> CreateAsync(string status)
    {
        var created = await _deployment.HttpAsync("createInvoice", ApiCalls.Event("POST", "/invoices", body: ApiCalls.NewInvoice(amount: 1500, status: status).ToJsonString()));
        return created["invoiceId"]!.GetValue<string>();
    }

    /// <summary>Creates an open invoice for 15.00 USD, pays it through the API, and runs the stream to the billing queue.</summary>
    private async Task<string> IssueAndPayAsync(string card)
    {
        var id = await CreateAsync("open");
        var pay = ApiCalls.Event("POST", $"/invoices/{id}/pay", body: new JsonObject { ["paymentMethodId"] = card }.ToJsonString(), id: id);
        await _deployment.HttpAsync("payInvoice", pay);
        await _stream.DrainAsync(CancellationToken.None);
        return id;
    }
}
