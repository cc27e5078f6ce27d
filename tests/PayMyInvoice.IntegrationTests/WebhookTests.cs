using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SQS;
using Amazon.SQS.Model;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Local;
using PayMyInvoice.Local.EventSources;
using PayMyInvoice.StripeEmulator;
using PayMyInvoice.Tests;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// Stripe's webhooks settle payments: the emulator delivers signed events over HTTP to the local API gateway's
/// /webhooks/stripe route; stripeWebhook publishes them to payment-events, and paymentEvents applies them.
/// </summary>
[Collection(LocalServicesCollection.Name)]
public sealed class WebhookTests(LocalServicesFixture local) : IAsyncLifetime
{
    private StripeEmulatorServer _stripe = null!;
    private LocalPipeline _pipeline = null!;
    private LocalDeployment _deployment = null!;
    private LocalApiGateway _gateway = null!;
    private StreamEventSource _stream = null!;
    private QueueEventSource _billing = null!;
    private QueueEventSource _paymentEvents = null!;
    private AmazonSQSClient _sqs = null!;
    private DynamoDbInvoiceStore _store = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _pipeline = await local.StartPipelineAsync();
        _stripe = _pipeline.Stripe;
        (_deployment, _gateway) = (_pipeline.Deployment, _pipeline.Gateway);
        (_stream, _billing, _paymentEvents) = (_pipeline.Stream("invoiceStream"), _pipeline.Queue("billingWorker"), _pipeline.Queue("paymentEvents"));
        _sqs = _deployment.Sqs();
        _store = new DynamoDbInvoiceStore(local.DynamoDb, _deployment.TableName("InvoicesTable"));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _sqs.Dispose();
        await _pipeline.DisposeAsync();
    }

    [Fact]
    public async Task A_payment_that_needed_authentication_is_settled_by_the_succeeded_webhook()
    {
        var id = await PayThroughGatewayAsync("pm_card_authenticationRequired");
        await _stream.DrainAsync(CancellationToken.None);
        await _billing.DrainAsync(CancellationToken.None);
        var invoice = (await _store.GetAsync(ApiCalls.Alice, id, default))!;
        Assert.Equal(InvoiceStatus.RequiresAction, invoice.Status);

        _stripe.CompleteAuthentication(invoice.Payment!.PaymentIntentId!, approved: true);
        await WaitForDeliveriesAsync("payment_intent.succeeded");
        await _paymentEvents.DrainAsync(CancellationToken.None);

        Assert.Equal(InvoiceStatus.Paid, (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status);
        Assert.Single(_stripe.PaymentIntents, i => i.Metadata["invoiceId"] == id && i.Status == "succeeded");
    }

    [Fact]
    public async Task A_forged_or_stale_webhook_is_400_and_publishes_nothing()
    {
        var body = """{"id":"evt_forged","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_x","object":"payment_intent","metadata":{}}}}""";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var forged = await PostWebhookAsync(body, StripeEmulatorServer.SignatureHeader(body, "whsec_someone_else", now));
        var stale = await PostWebhookAsync(body, StripeEmulatorServer.SignatureHeader(body, LocalDeployment.WebhookSecret, now - 400));
        var unsigned = await PostWebhookAsync(body, null);

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_signature"), forged);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_signature"), stale);
        Assert.Equal((HttpStatusCode.BadRequest, "missing_signature"), unsigned);
        var queued = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = await _deployment.QueueUrlAsync("PaymentEventsQueue"), WaitTimeSeconds = 1 });
        Assert.Empty(queued.Messages ?? []);
    }

    [Fact]
    public async Task A_Checkout_Session_event_is_queued_without_its_return_URLs_which_carry_the_pay_link()
    {
        var body = """{"id":"evt_cs","object":"event","type":"checkout.session.completed","data":{"object":{"id":"cs_test_1","object":"checkout.session","payment_status":"paid","success_url":"https://api.example/dev/pay/SECRET-TOKEN?checkout=success","cancel_url":"https://api.example/dev/pay/SECRET-TOKEN?checkout=cancelled","metadata":{}}}}""";
        var signature = StripeEmulatorServer.SignatureHeader(body, LocalDeployment.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal(HttpStatusCode.OK, (await PostWebhookAsync(body, signature)).Status);

        var queued = Assert.Single((await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = await _deployment.QueueUrlAsync("PaymentEventsQueue"), WaitTimeSeconds = 2 })).Messages);
        Assert.DoesNotContain("SECRET-TOKEN", queued.Body, StringComparison.Ordinal);
        Assert.Contains("\"payment_status\":\"paid\"", queued.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_late_payment_failed_never_unpays_a_paid_invoice_and_a_repeated_event_applies_once()
    {
        var id = await PayThroughGatewayAsync("pm_card_visa");
        await _stream.DrainAsync(CancellationToken.None);
        await _billing.DrainAsync(CancellationToken.None);
        await WaitForDeliveriesAsync("payment_intent.succeeded");
        var paid = (await _store.GetAsync(ApiCalls.Alice, id, default))!;
        Assert.Equal(InvoiceStatus.Paid, paid.Status);

        var intent = _stripe.PaymentIntents.Single(i => i.Metadata["invoiceId"] == id).ToJson();
        intent["status"] = "requires_payment_method";
        intent["last_payment_error"] = new JsonObject { ["type"] = "card_error", ["code"] = "card_declined", ["message"] = "late" };
        var late = new JsonObject
        {
            ["id"] = "evt_late_failure",
            ["object"] = "event",
            ["api_version"] = _stripe.ApiVersion,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["type"] = "payment_intent.payment_failed",
            ["data"] = new JsonObject { ["object"] = intent },
        }.ToJsonString();
        var signature = StripeEmulatorServer.SignatureHeader(late, LocalDeployment.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal(HttpStatusCode.OK, (await PostWebhookAsync(late, signature)).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostWebhookAsync(late, signature)).Status); // Stripe redelivers

        await _paymentEvents.DrainAsync(CancellationToken.None);
        var after = (await _store.GetAsync(ApiCalls.Alice, id, default))!;
        Assert.Equal(InvoiceStatus.Paid, after.Status);
        Assert.Equal(paid.Version, after.Version);
    }

    private async Task<string> PayThroughGatewayAsync(string card)
    {
        var created = await SendAsync(HttpMethod.Post, "/invoices", ApiCalls.NewInvoice().ToJsonString());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["invoiceId"]!.GetValue<string>();
        var paid = await SendAsync(HttpMethod.Post, $"/invoices/{id}/pay", new JsonObject { ["paymentMethodId"] = card }.ToJsonString());
        Assert.Equal(HttpStatusCode.Accepted, paid.StatusCode);
        return id;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string body)
    {
        using var request = new HttpRequestMessage(method, new Uri(_gateway.BaseUrl, path)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(LocalApiGateway.IdentityHeader, ApiCalls.Alice);
        return await _http.SendAsync(request);
    }

    private async Task<(HttpStatusCode Status, string? Code)> PostWebhookAsync(string body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_gateway.BaseUrl, "/webhooks/stripe")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add("Stripe-Signature", signature);
        }

        using var response = await _http.SendAsync(request);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json?["error"]?["code"]?.GetValue<string>());
    }

    private async Task WaitForDeliveriesAsync(string type)
    {
        for (var i = 0; i < 100 && !_stripe.Deliveries.Any(d => d.Type == type && d.StatusCode == 200); i++)
        {
            await Task.Delay(50);
        }

        Assert.Contains(_stripe.Deliveries, d => d.Type == type && d.StatusCode == 200);
    }
}
