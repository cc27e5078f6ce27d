using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.Events;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Infrastructure.Stripe;
using PayMyInvoice.Local;
using PayMyInvoice.Local.EventSources;
using PayMyInvoice.StripeEmulator;
using PayMyInvoice.Tests;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// Paying, end to end on local services: payInvoice writes DynamoDB Local; its stream feeds invoiceStream, which
/// publishes PaymentRequested to fauxqs; the billing queue's subscription filter passes it to billingWorker, which
/// charges the Stripe emulator through Stripe.net. Charges are counted on the emulator's side.
/// </summary>
[Collection(LocalServicesCollection.Name)]
public sealed class BillingTests(LocalServicesFixture local) : IAsyncLifetime
{
    private StripeEmulatorServer _stripe = null!;
    private LocalPipeline _pipeline = null!;
    private LocalDeployment _deployment = null!;
    private StreamEventSource _stream = null!;
    private QueueEventSource _billing = null!;
    private AmazonSQSClient _sqs = null!;
    private DynamoDbInvoiceStore _store = null!;

    public async Task InitializeAsync()
    {
        _pipeline = await local.StartPipelineAsync();
        _stripe = _pipeline.Stripe;
        _deployment = _pipeline.Deployment;
        _stream = _pipeline.Stream("invoiceStream");
        _billing = _pipeline.Queue("billingWorker");
        _sqs = _deployment.Sqs();
        _store = new DynamoDbInvoiceStore(local.DynamoDb, _deployment.TableName("InvoicesTable"));

        // The seeded sample invoice that waits in processing is charged first; the tests count from there.
        await _stream.DrainAsync(CancellationToken.None);
        await _billing.DrainAsync(CancellationToken.None);
        _chargesBefore = _stripe.Charges;
        _intentsBefore = _stripe.PaymentIntents.Select(i => i.Id).ToHashSet();
    }

    private int _chargesBefore;
    private HashSet<string> _intentsBefore = [];

    private int Charges => _stripe.Charges - _chargesBefore;

    private List<StripeEmulator.PaymentIntent> NewIntents => _stripe.PaymentIntents.Where(i => !_intentsBefore.Contains(i.Id)).ToList();

    public async Task DisposeAsync()
    {
        _sqs.Dispose();
        await _pipeline.DisposeAsync();
    }

    [Fact]
    public async Task Paying_charges_the_card_once_and_marks_the_invoice_paid()
    {
        var id = await IssueAndPayAsync("pm_card_visa");

        Assert.Equal(1, await _billing.DrainAsync(CancellationToken.None));

        var invoice = (await _store.GetAsync(ApiCalls.Alice, id, default))!;
        Assert.Equal("paid", invoice.Status.ToString().ToLowerInvariant());
        Assert.Equal(1, Charges);
        var intent = Assert.Single(NewIntents);
        Assert.Equal((1500L, "usd", id), (intent.Amount, intent.Currency, intent.Metadata["invoiceId"]));
        Assert.Equal(intent.Id, invoice.Payment!.PaymentIntentId);
    }

    [Fact]
    public async Task The_same_billing_message_delivered_three_times_makes_one_payment_intent()
    {
        await IssueAndPayAsync("pm_card_visa");
        var queueUrl = await _deployment.QueueUrlAsync("BillingQueue");
        var original = Assert.Single((await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, WaitTimeSeconds = 1 })).Messages);
        await _sqs.DeleteMessageAsync(queueUrl, original.ReceiptHandle);
        for (var i = 0; i < 3; i++)
        {
            await _sqs.SendMessageAsync(queueUrl, original.Body);
        }

        Assert.Equal(3, await _billing.DrainAsync(CancellationToken.None));
        Assert.Single(NewIntents);
        Assert.Equal(1, Charges);
    }

    [Fact]
    public async Task Stripe_failing_leaves_the_message_on_the_queue_and_the_retry_charges_once()
    {
        var id = await IssueAndPayAsync("pm_card_visa");
        _stripe.FailNext(6, FaultKind.ServerError); // Stripe.net tries 3 times per invocation: two invocations fail

        var first = await _billing.PollOnceAsync(CancellationToken.None);
        var second = await _billing.PollOnceAsync(CancellationToken.None);
        var third = await _billing.PollOnceAsync(CancellationToken.None);

        Assert.Equal([(1, 0), (1, 0), (1, 1)], new[] { first, second, third });
        Assert.Equal(1, Charges);
        Assert.Single(NewIntents);
        Assert.Equal("Paid", (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status.ToString());
    }

    [Theory]
    [InlineData("pm_card_chargeDeclined", "generic_decline")]
    [InlineData("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds")]
    public async Task A_declined_card_is_recorded_as_payment_failed_with_Stripes_reason(string card, string code)
    {
        var id = await IssueAndPayAsync(card);
        Assert.Equal(1, await _billing.DrainAsync(CancellationToken.None));

        var invoice = (await _store.GetAsync(ApiCalls.Alice, id, default))!;
        Assert.Equal("PaymentFailed", invoice.Status.ToString());
        Assert.Equal(code, invoice.Payment!.FailureCode);
        Assert.Equal(PaymentFailureMessages.For(code), invoice.Payment.FailureMessage);
        Assert.Equal(0, Charges);
    }

    [Fact]
    public async Task A_card_that_needs_authentication_leaves_the_invoice_requiring_action()
    {
        var id = await IssueAndPayAsync("pm_card_authenticationRequired");
        await _billing.DrainAsync(CancellationToken.None);
        Assert.Equal("RequiresAction", (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status.ToString());
        Assert.Equal(0, Charges);
    }

    [Fact]
    public async Task A_poison_message_ends_in_the_dead_letter_queue_and_the_rest_of_its_batch_is_processed()
    {
        var queueUrl = await _deployment.QueueUrlAsync("BillingQueue");
        await _sqs.SendMessageAsync(queueUrl, "this is not an invoice event");
        var id = await IssueAndPayAsync("pm_card_visa");

        await _billing.DrainAsync(CancellationToken.None);

        Assert.Equal("Paid", (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status.ToString());
        var dead = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = await _deployment.QueueUrlAsync("BillingDeadLetterQueue"), WaitTimeSeconds = 1 });
        Assert.Equal("this is not an invoice event", Assert.Single(dead.Messages).Body);
        Assert.Empty((await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, WaitTimeSeconds = 0 })).Messages ?? []);
        Assert.Equal(1, Charges);
    }

    [Theory]
    [InlineData(FaultKind.RateLimited, 1)]
    [InlineData(FaultKind.RateLimitError, 1)]
    [InlineData(FaultKind.ServerError, 3)] // Stripe.net's own two retries fail too
    public async Task A_rate_limit_or_Stripe_error_is_retried_and_then_paid_with_one_charge(FaultKind fault, int count)
    {
        var id = await IssueAndPayAsync("pm_card_visa");
        _stripe.FailNext(count, fault);

        var first = await _billing.PollOnceAsync(CancellationToken.None);
        Assert.Equal("Processing", (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status.ToString());
        var second = await _billing.PollOnceAsync(CancellationToken.None);

        Assert.Equal([(1, 0), (1, 1)], new[] { first, second });
        Assert.Equal("Paid", (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status.ToString());
        Assert.Equal(1, Charges);
    }

    [Fact]
    public async Task A_batch_whose_first_item_hangs_still_settles_the_rest()
    {
        // A deadline shorter than serverless.yml's 30 s, and Stripe calls that give up after 3 s.
        var timeout = TimeSpan.FromSeconds(20);
        _deployment.UpdateFunctionConfiguration("billingWorker", timeout, new Dictionary<string, string> { [StripePaymentGateway.TimeoutVariable] = "3" });
        for (var i = 0; i < 3; i++)
        {
            await IssueAndPayAsync("pm_card_visa");
        }

        var batch = await TakeBillingMessagesAsync(3);
        var invoices = batch.Records!.Select(r => InvoiceEventMessages.Read(r.Body).Invoice.InvoiceId).ToList();
        _stripe.FailNext(1, FaultKind.Hang); // the first charge of the batch never gets an answer

        var clock = Stopwatch.StartNew();
        var response = await InvokeBillingAsync(batch);

        Assert.True(clock.Elapsed < timeout, $"the invocation took {clock.Elapsed}, past its {timeout} deadline");
        Assert.Equal([batch.Records![0].MessageId], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Equal(["Processing", "Paid", "Paid"], await StatusesAsync(invoices));
        Assert.Equal(2, Charges);

        // The queue redelivers the one reported: it is charged then, once.
        var retry = await InvokeBillingAsync(new SQSEvent { Records = [batch.Records[0]] });
        Assert.Empty(retry.BatchItemFailures);
        Assert.Equal(["Paid", "Paid", "Paid"], await StatusesAsync(invoices));
        Assert.Equal(3, Charges);
    }

    [Fact]
    public async Task A_billing_claim_expires_at_the_invocations_deadline()
    {
        var timeout = TimeSpan.FromSeconds(20); // not serverless.yml's 30 s: the claim follows the deadline, not a constant
        _deployment.UpdateFunctionConfiguration("billingWorker", timeout);
        var id = await IssueAndPayAsync("pm_card_visa");
        var paymentId = (await _store.GetAsync(ApiCalls.Alice, id, default))!.Payment!.PaymentId;

        var before = DateTimeOffset.UtcNow;
        Assert.Equal(1, await _billing.DrainAsync(CancellationToken.None));
        var after = DateTimeOffset.UtcNow;

        var record = (await local.DynamoDb.GetItemAsync(new GetItemRequest
        {
            TableName = _deployment.TableName("IdempotencyTable"),
            Key = new() { ["id"] = new AttributeValue { S = "billing#" + paymentId } },
            ConsistentRead = true,
        })).Item;
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(record["in_progress_expiration"].N, CultureInfo.InvariantCulture));
        Assert.InRange(expires, (before + timeout).AddMilliseconds(-1), after + timeout);
    }

    /// <summary>Receives the billing queue's messages (and deletes them) as the SQS event Lambda would hand over.</summary>
    private async Task<SQSEvent> TakeBillingMessagesAsync(int count)
    {
        var queueUrl = await _deployment.QueueUrlAsync("BillingQueue");
        var queueArn = _deployment.Arn(new Dictionary<string, object?> { ["Ref"] = "BillingQueue" });
        var records = new List<SQSEvent.SQSMessage>();
        for (var attempt = 0; attempt < 20 && records.Count < count; attempt++)
        {
            foreach (var message in (await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 })).Messages ?? [])
            {
                await _sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle);
                records.Add(new SQSEvent.SQSMessage
                {
                    MessageId = message.MessageId,
                    ReceiptHandle = message.ReceiptHandle,
                    Body = message.Body,
                    EventSource = "aws:sqs",
                    EventSourceArn = queueArn,
                    AwsRegion = _deployment.Config.Region,
                    Attributes = new() { ["ApproximateReceiveCount"] = "1" },
                });
            }
        }

        Assert.Equal(count, records.Count);
        return new SQSEvent { Records = records };
    }

    private async Task<SQSBatchResponse> InvokeBillingAsync(SQSEvent batch)
    {
        var outcome = await _deployment.InvokeAsync("billingWorker", JsonSerializer.SerializeToUtf8Bytes(batch, ContractsJsonContext.Wire.SQSEvent), CancellationToken.None);
        Assert.Null(outcome.Error);
        return JsonSerializer.Deserialize(outcome.Response, ContractsJsonContext.Wire.SQSBatchResponse)!;
    }

    private async Task<List<string>> StatusesAsync(IEnumerable<string> invoiceIds)
    {
        var statuses = new List<string>();
        foreach (var id in invoiceIds)
        {
            statuses.Add((await _store.GetAsync(ApiCalls.Alice, id, default))!.Status.ToString());
        }

        return statuses;
    }

    /// <summary>Creates an open invoice for 15.00 USD, pays it through the API, and runs the stream to the billing queue.</summary>
    private async Task<string> IssueAndPayAsync(string card)
    {
        var created = await _deployment.HttpAsync("createInvoice", ApiCalls.Event("POST", "/invoices", body: ApiCalls.NewInvoice(amount: 1500).ToJsonString()));
        var id = created["invoiceId"]!.GetValue<string>();
        var pay = ApiCalls.Event("POST", $"/invoices/{id}/pay", body: new JsonObject { ["paymentMethodId"] = card }.ToJsonString(), id: id);
        await _deployment.HttpAsync("payInvoice", pay);
        await _stream.DrainAsync(CancellationToken.None);
        return id;
    }
}
