using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SQS;
using Amazon.SQS.Model;
using PayMyInvoice.Contracts;
using PayMyInvoice.Infrastructure.DynamoDb;
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
        Assert.False(string.IsNullOrEmpty(invoice.Payment.FailureMessage));
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
