using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.SQS.Model;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Local;
using PayMyInvoice.StripeEmulator;
using PayMyInvoice.Tests;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// The whole story over HTTP on the local pipeline: create → issued email → pay → Stripe → webhook → paid → receipts.
/// Charges are counted by the Stripe emulator, emails by maildev's inbox.
/// </summary>
[Collection(LocalServicesCollection.Name)]
public sealed class StoryTests(LocalServicesFixture local) : IAsyncLifetime
{
    private StripeEmulatorServer _stripe = null!;
    private LocalPipeline _pipeline = null!;
    private DynamoDbInvoiceStore _store = null!;
    private readonly HttpClient _http = new();
    private readonly string _payer = $"payer-{Guid.NewGuid():N}@example.com";
    private readonly string _issuer = $"issuer-{Guid.NewGuid():N}@example.com";

    public async Task InitializeAsync()
    {
        _pipeline = await local.StartPipelineAsync();
        _stripe = _pipeline.Stripe;
        var deployment = _pipeline.Deployment;
        await _pipeline.DrainAsync(CancellationToken.None); // the seeded samples' own events
        _store = new DynamoDbInvoiceStore(local.DynamoDb, deployment.TableName("InvoicesTable"));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _pipeline.DisposeAsync();
    }

    [Fact]
    public async Task Create_pay_and_settle_one_invoice_with_one_charge_and_the_right_emails()
    {
        var id = await CreateAsync();
        await _pipeline.DrainAsync(CancellationToken.None);
        var issued = Assert.Single(await local.InboxAsync(_payer));
        Assert.Equal("Invoice for USD 1,500.00: Website redesign", issued["subject"]!.GetValue<string>());
        Assert.Contains(new Uri(_pipeline.Gateway.BaseUrl, "/pay/").AbsoluteUri, issued["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("<a href=", issued["html"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Accepted, (await PayAsync(id, "pm_card_visa")).StatusCode);
        await _pipeline.DrainAsync(CancellationToken.None);

        Assert.Equal(InvoiceStatus.Paid, (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status);
        Assert.Single(_stripe.PaymentIntents, i => i.Metadata["invoiceId"] == id && i.Status == "succeeded");
        Assert.Equal(["Invoice for USD 1,500.00: Website redesign", "Receipt: USD 1,500.00 paid"], (await local.InboxAsync(_payer)).Select(m => m["subject"]!.GetValue<string>()).Order());
        Assert.Equal("Paid: Website redesign (USD 1,500.00)", Assert.Single(await local.InboxAsync(_issuer))["subject"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_pay_request_twice_with_one_Idempotency_Key_is_one_payment()
    {
        var id = await CreateAsync();
        var first = await PayAsync(id, "pm_card_visa", "click-1");
        var second = await PayAsync(id, "pm_card_visa", "click-1");
        await _pipeline.DrainAsync(CancellationToken.None);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, second.StatusCode));
        Assert.Equal((await first.Content.ReadFromJsonAsync<JsonNode>())!["paymentId"]!.GetValue<string>(), (await second.Content.ReadFromJsonAsync<JsonNode>())!["paymentId"]!.GetValue<string>());
        Assert.Single(_stripe.PaymentIntents, i => i.Metadata["invoiceId"] == id);
        Assert.Single(await local.InboxAsync(_payer), m => m["subject"]!.GetValue<string>().StartsWith("Receipt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_pay_requests_racing_give_one_202_one_409_and_one_charge()
    {
        var id = await CreateAsync();
        var results = await Task.WhenAll(PayAsync(id, "pm_card_visa", "tab-1"), PayAsync(id, "pm_card_visa", "tab-2"));
        await _pipeline.DrainAsync(CancellationToken.None);

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Conflict], results.Select(r => r.StatusCode).Order());
        Assert.Single(_stripe.PaymentIntents, i => i.Metadata["invoiceId"] == id);
        Assert.Equal(InvoiceStatus.Paid, (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status);
    }

    [Fact]
    public async Task A_declined_card_fails_the_payment_with_one_failure_email_each()
    {
        var id = await CreateAsync();
        await PayAsync(id, "pm_card_chargeDeclined");
        await _pipeline.DrainAsync(CancellationToken.None);

        var invoice = (await _store.GetAsync(ApiCalls.Alice, id, default))!;
        Assert.Equal(InvoiceStatus.PaymentFailed, invoice.Status);
        var failure = Assert.Single(await local.InboxAsync(_payer), m => m["subject"]!.GetValue<string>().StartsWith("Payment failed", StringComparison.Ordinal));
        Assert.Contains("Your card was declined.", failure["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(await local.InboxAsync(_issuer));
        Assert.Equal(0, _stripe.PaymentIntents.Count(i => i.Metadata["invoiceId"] == id && i.Status == "succeeded"));
    }

    [Theory]
    [InlineData("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds")]
    [InlineData("pm_card_chargeDeclinedLostCard", "lost_card")]
    [InlineData("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc")]
    public async Task A_card_decline_emails_payer_and_owner_the_plain_sentence_for_its_decline_code(string card, string declineCode)
    {
        var id = await CreateAsync();
        await PayAsync(id, card);
        await _pipeline.DrainAsync(CancellationToken.None);

        Assert.Equal(declineCode, (await _store.GetAsync(ApiCalls.Alice, id, default))!.Payment!.FailureCode);
        var sentence = PaymentFailureMessages.For(declineCode);
        var payer = Assert.Single(await local.InboxAsync(_payer), m => m["subject"]!.GetValue<string>().StartsWith("Payment failed", StringComparison.Ordinal));
        Assert.Contains(sentence, payer["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(sentence, Assert.Single(await local.InboxAsync(_issuer))["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stripe_answering_401_fails_the_payment_with_processing_error_and_no_Stripe_developer_text_reaches_any_email()
    {
        var id = await CreateAsync();
        _stripe.FailNext(1, FaultKind.AuthenticationError); // the billing worker's charge is the first Stripe call
        await PayAsync(id, "pm_card_visa");
        await _pipeline.DrainAsync(CancellationToken.None);

        var invoice = (await _store.GetAsync(ApiCalls.Alice, id, default))!;
        Assert.Equal((InvoiceStatus.PaymentFailed, "processing_error"), (invoice.Status, invoice.Payment!.FailureCode));
        Assert.Equal(PaymentFailureMessages.For("processing_error"), invoice.Payment.FailureMessage);
        var failures = (await local.InboxAsync(_payer)).Concat(await local.InboxAsync(_issuer)).Where(m => m["subject"]!.GetValue<string>().StartsWith("Payment failed", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, failures.Count);
        foreach (var email in failures)
        {
            var body = email["text"]!.GetValue<string>() + email["html"]!.GetValue<string>();
            Assert.Contains(PaymentFailureMessages.For("processing_error"), body, StringComparison.Ordinal);
            foreach (var developerText in new[] { "API Key", "sk_test", "authentication_error", "****" })
            {
                Assert.DoesNotContain(developerText, body, StringComparison.Ordinal);
            }
        }

        Assert.DoesNotContain(_stripe.PaymentIntents, i => i.Metadata["invoiceId"] == id && i.Status == "succeeded");
    }

    [Fact]
    public async Task Key_A_declined_then_key_B_declined_then_key_A_again_replays_A_and_leaves_the_invoice_decided()
    {
        var id = await CreateAsync();
        var first = await PayAsync(id, "pm_card_chargeDeclined", "attempt-A");
        await _pipeline.DrainAsync(CancellationToken.None);
        var second = await PayAsync(id, "pm_card_chargeDeclined", "attempt-B");
        await _pipeline.DrainAsync(CancellationToken.None);
        var third = await PayAsync(id, "pm_card_chargeDeclined", "attempt-A");
        await _pipeline.DrainAsync(CancellationToken.None);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, second.StatusCode, third.StatusCode));
        var paymentA = (await first.Content.ReadFromJsonAsync<JsonNode>())!["paymentId"]!.GetValue<string>();
        var paymentB = (await second.Content.ReadFromJsonAsync<JsonNode>())!["paymentId"]!.GetValue<string>();
        var invoice = (await _store.GetAsync(ApiCalls.Alice, id, default))!;
        Assert.Equal((InvoiceStatus.PaymentFailed, paymentB), (invoice.Status, invoice.Payment!.PaymentId)); // decided, not stuck in processing with A
        var intents = _stripe.PaymentIntents.Where(i => i.Metadata["invoiceId"] == id).ToList();
        Assert.Equal(new[] { paymentA, paymentB }.Order(StringComparer.Ordinal), intents.Select(i => i.Metadata["paymentId"]).Order(StringComparer.Ordinal)); // one attempt per payment

        Assert.Equal(await first.Content.ReadAsStringAsync(), await third.Content.ReadAsStringAsync());
        Assert.Equal(["true"], third.Headers.GetValues("Idempotent-Replayed"));
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task An_event_delivered_three_times_sends_one_email()
    {
        await CreateAsync();
        var queueUrl = await _pipeline.Deployment.QueueUrlAsync("NotificationsQueue");
        using var sqs = _pipeline.Deployment.Sqs();
        await DrainStreamsOnlyAsync();
        var message = Assert.Single((await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, WaitTimeSeconds = 1 })).Messages);
        await sqs.SendMessageAsync(queueUrl, message.Body);
        await sqs.SendMessageAsync(queueUrl, message.Body);
        await sqs.ChangeMessageVisibilityAsync(queueUrl, message.ReceiptHandle, 0);

        await _pipeline.DrainAsync(CancellationToken.None);

        Assert.Single(await local.InboxAsync(_payer));
    }

    [Fact]
    public async Task An_account_fee_is_billed_through_the_same_pipeline()
    {
        var response = await SendAsync(HttpMethod.Post, "/billing", """{"txnType":"SubscriptionFee","txnQty":101,"paymentMethodId":"pm_card_visa"}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var fee = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal((5050, "processing"), (fee["amount"]!.GetValue<long>(), fee["status"]!.GetValue<string>()));
        var id = fee["billingId"]!.GetValue<string>();

        await _pipeline.DrainAsync(CancellationToken.None);

        var settled = (await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(_pipeline.Gateway.BaseUrl, $"/billing/{id}")) { Headers = { { LocalApiGateway.IdentityHeader, ApiCalls.Alice } } }));
        Assert.Equal("paid", (await settled.Content.ReadFromJsonAsync<JsonNode>())!["status"]!.GetValue<string>());
        var charge = Assert.Single(_stripe.PaymentIntents, i => i.Metadata["invoiceId"] == id);
        Assert.Equal((5050L, "succeeded"), (charge.Amount, charge.Status));
        var invoices = (await (await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(_pipeline.Gateway.BaseUrl, "/invoices")) { Headers = { { LocalApiGateway.IdentityHeader, ApiCalls.Alice } } })).Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.DoesNotContain(invoices["items"]!.AsArray(), i => i!["invoiceId"]!.GetValue<string>() == id); // fees are not invoices
    }

    private async Task DrainStreamsOnlyAsync()
    {
        // Let the stream publish the event, but keep it on the queue for the test to copy.
        var stream = await Local.EventSources.StreamEventSource.CreateAsync(
            _pipeline.Deployment, "invoiceStream", _pipeline.Deployment.Config.Function("invoiceStream").Streams[0],
            new Local.EventSources.DynamoDbStreamsClient(local.Services.DynamoDb, "us-east-1"), CancellationToken.None);
        await stream.DrainAsync(CancellationToken.None);
    }

    private async Task<string> CreateAsync()
    {
        var invoice = ApiCalls.NewInvoice(amount: 150000);
        invoice["payerEmail"] = _payer;
        invoice["issuerEmail"] = _issuer;
        invoice["description"] = "Website redesign";
        var response = await SendAsync(HttpMethod.Post, "/invoices", invoice.ToJsonString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!["invoiceId"]!.GetValue<string>();
    }

    private Task<HttpResponseMessage> PayAsync(string id, string card, string? key = null)
    {
        var headers = key is null ? null : new Dictionary<string, string> { ["Idempotency-Key"] = key };
        return SendAsync(HttpMethod.Post, $"/invoices/{id}/pay", new JsonObject { ["paymentMethodId"] = card }.ToJsonString(), headers);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string body, Dictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(_pipeline.Gateway.BaseUrl, path)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(LocalApiGateway.IdentityHeader, ApiCalls.Alice);
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.Add(name, value);
        }

        return await _http.SendAsync(request);
    }
}
