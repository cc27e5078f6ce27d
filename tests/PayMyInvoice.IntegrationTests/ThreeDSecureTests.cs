using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PayMyInvoice.Billing;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Local;
using PayMyInvoice.StripeEmulator;
using PayMyInvoice.Tests;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// 3-D Secure on the API path, over HTTP on the whole local pipeline (DynamoDB Local, fauxqs, maildev, the Stripe
/// emulator driven by Stripe.net, its signed webhooks): the client secret on GET, the owner's email, the webhook
/// settling it; paying again or voiding cancels the old PaymentIntent; and the race where the payer completes the old
/// intent before the cancel lands ends paid once (or refunded, for a void), never charged twice.
/// </summary>
[Collection(LocalServicesCollection.Name)]
public sealed class ThreeDSecureTests : IAsyncLifetime
{
    private const string AuthenticationRequired = "pm_card_authenticationRequired";
    private readonly HttpClient _http = new();
    private readonly StringWriter _buffer = new();
    private readonly TextWriter _logs;
    private readonly string _payer = $"payer-{Guid.NewGuid():N}@example.com";
    private readonly string _issuer = $"issuer-{Guid.NewGuid():N}@example.com";
    private StripeEmulatorServer _stripe = null!;
    private LocalPipeline _pipeline = null!;
    private DynamoDbInvoiceStore _store = null!;
    private readonly LocalServicesFixture local;

    public ThreeDSecureTests(LocalServicesFixture local)
    {
        this.local = local;
        _logs = TextWriter.Synchronized(_buffer); // functions log from the queue pollers and the webhook route at once
    }

    public async Task InitializeAsync()
    {
        _pipeline = await local.StartPipelineAsync(_logs);
        _stripe = _pipeline.Stripe;
        await _pipeline.DrainAsync(CancellationToken.None); // the seeded samples' own events
        _store = new DynamoDbInvoiceStore(local.DynamoDb, _pipeline.Deployment.TableName("InvoicesTable"));
        _chargesBefore = _stripe.Charges;
    }

    private int _chargesBefore;

    /// <summary>Cards charged since the seeded samples were settled: each succeeded PaymentIntent is one.</summary>
    private int Charges => _stripe.Charges - _chargesBefore;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _pipeline.DisposeAsync();
    }

    [Fact]
    public async Task Authentication_required_shows_the_client_secret_emails_the_owner_and_the_webhook_settles_it()
    {
        var id = await CreateAsync();
        await PayAndDrainAsync(id, AuthenticationRequired);

        var intent = Assert.Single(Intents(id));
        var waiting = await GetAsync(id);
        Assert.Equal("requires_action", waiting["status"]!.GetValue<string>());
        Assert.Equal(intent.ClientSecret, waiting["payment"]!["clientSecret"]!.GetValue<string>());
        Assert.Equal("""{"type":"use_stripe_sdk"}""", waiting["payment"]!["nextAction"]!.ToJsonString());

        var notice = Assert.Single(await local.InboxAsync(_issuer));
        Assert.Equal("Payment needs the payer's confirmation: Website redesign (USD 1,500.00)", notice["subject"]!.GetValue<string>());
        Assert.Contains("bank asks them to authenticate", notice["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(intent.ClientSecret, notice["text"]!.GetValue<string>() + notice["html"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(await local.InboxAsync(_payer), m => m["subject"]!.GetValue<string>().Contains("confirmation", StringComparison.Ordinal));

        _stripe.CompleteAuthentication(intent.Id, approved: true);
        await _pipeline.DrainAsync(CancellationToken.None);

        var paid = await GetAsync(id);
        Assert.Equal("paid", paid["status"]!.GetValue<string>());
        Assert.Null(paid["payment"]!["clientSecret"]);
        Assert.Null(paid["payment"]!["nextAction"]);
        Assert.Null((await _store.GetAsync(ApiCalls.Alice, id, default))!.Payment!.ClientSecret); // not kept once used
        Assert.Equal(1, Charges);
        Assert.Single(await local.InboxAsync(_payer), m => m["subject"]!.GetValue<string>().StartsWith("Receipt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Voiding_an_invoice_that_requires_action_cancels_its_payment_intent()
    {
        var id = await CreateAsync();
        await PayAndDrainAsync(id, AuthenticationRequired);

        var voided = await SendAsync(HttpMethod.Post, $"/invoices/{id}/void", null);
        Assert.Equal(HttpStatusCode.OK, voided.StatusCode);
        var body = (await voided.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("void", body["status"]!.GetValue<string>());
        Assert.Null(body["payment"]!["clientSecret"]);
        await _pipeline.DrainAsync(CancellationToken.None);

        var intent = Assert.Single(Intents(id));
        Assert.Equal(("canceled", "abandoned"), (intent.Status, intent.CancellationReason));
        Assert.Throws<InvalidOperationException>(() => _stripe.CompleteAuthentication(intent.Id, approved: true)); // the payer can no longer pay it
        Assert.Equal(0, Charges);
        Assert.Equal(InvoiceStatus.Void, (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status);
    }

    [Theory]
    [InlineData(AuthenticationRequired)]
    [InlineData("pm_card_chargeDeclined")]
    public async Task Paying_again_with_another_card_cancels_the_old_intent_and_charges_once(string firstCard)
    {
        var id = await CreateAsync();
        await PayAndDrainAsync(id, firstCard);
        var old = Assert.Single(Intents(id));

        await PayAndDrainAsync(id, "pm_card_visa");

        var invoice = (await _store.GetAsync(ApiCalls.Alice, id, default))!;
        var intents = Intents(id);
        Assert.Equal(2, intents.Count);
        Assert.Equal("canceled", intents.Single(i => i.Id == old.Id).Status);
        var charged = intents.Single(i => i.Id != old.Id);
        Assert.Equal(("succeeded", "pm_card_visa"), (charged.Status, charged.PaymentMethod));
        Assert.Equal((InvoiceStatus.Paid, charged.Id, old.Id), (invoice.Status, invoice.Payment!.PaymentIntentId, invoice.Payment.ReplacesPaymentIntentId));
        Assert.Equal(1, Charges);
    }

    [Fact]
    public async Task If_the_payer_completes_the_old_intent_before_the_cancel_lands_the_invoice_is_paid_by_it_and_the_new_card_is_not_charged()
    {
        var id = await CreateAsync();
        await PayAndDrainAsync(id, AuthenticationRequired);
        var old = Assert.Single(Intents(id));

        Assert.Equal(HttpStatusCode.Accepted, (await PayAsync(id, "pm_card_visa")).StatusCode); // processing, billing not run yet
        _stripe.CompleteAuthentication(old.Id, approved: true); // the payer finishes 3-D Secure meanwhile
        await _pipeline.DrainAsync(CancellationToken.None);

        var invoice = (await _store.GetAsync(ApiCalls.Alice, id, default))!;
        Assert.Equal((InvoiceStatus.Paid, old.Id), (invoice.Status, invoice.Payment!.PaymentIntentId));
        Assert.Equal(old.Id, Assert.Single(Intents(id)).Id); // no PaymentIntent for the new card at all
        Assert.Equal(1, Charges);
        Assert.Single(await local.InboxAsync(_payer), m => m["subject"]!.GetValue<string>().StartsWith("Receipt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task If_the_payer_completes_the_intent_of_a_voided_invoice_before_the_cancel_lands_it_is_refunded_and_logged_as_an_error()
    {
        var id = await CreateAsync();
        await PayAndDrainAsync(id, AuthenticationRequired);
        var old = Assert.Single(Intents(id));

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/invoices/{id}/void", null)).StatusCode);
        _stripe.CompleteAuthentication(old.Id, approved: true);
        await _pipeline.DrainAsync(CancellationToken.None);

        var intent = Assert.Single(Intents(id));
        Assert.Equal(("succeeded", intent.Amount), (intent.Status, intent.AmountRefunded));
        Assert.Equal(InvoiceStatus.Void, (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status);
        var line = Assert.Single(LogLines(), l => l["error_class"]?.GetValue<string>() == BillingWorkerFunction.VoidedInvoicePaidErrorClass);
        Assert.Equal(("Error", old.Id), (line["level"]!.GetValue<string>(), line["payment_intent_id"]!.GetValue<string>()));
    }

    private List<StripeEmulator.PaymentIntent> Intents(string invoiceId) =>
        _stripe.PaymentIntents.Where(i => i.Metadata.GetValueOrDefault("invoiceId") == invoiceId).OrderBy(i => i.Created).ToList();

    private List<JsonNode> LogLines()
    {
        string text;
        lock (_logs)
        {
            text = _buffer.ToString(); // the synchronized writer locks on itself
        }

        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!).ToList(); // the local host's own lines are plain text
    }

    private async Task PayAndDrainAsync(string id, string card)
    {
        Assert.Equal(HttpStatusCode.Accepted, (await PayAsync(id, card)).StatusCode);
        await _pipeline.DrainAsync(CancellationToken.None);
    }

    private async Task<string> CreateAsync()
    {
        var invoice = ApiCalls.NewInvoice(amount: 150000);
        invoice["payerEmail"] = _payer;
        invoice["issuerEmail"] = _issuer;
        invoice["description"] = "Website redesign";
        var response = await SendAsync(HttpMethod.Post, "/invoices", invoice.ToJsonString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonNode>())!["invoiceId"]!.GetValue<string>();
        await _pipeline.DrainAsync(CancellationToken.None);
        return id;
    }

    private async Task<JsonNode> GetAsync(string id)
    {
        var response = await SendAsync(HttpMethod.Get, $"/invoices/{id}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    private Task<HttpResponseMessage> PayAsync(string id, string card) =>
        SendAsync(HttpMethod.Post, $"/invoices/{id}/pay", new JsonObject { ["paymentMethodId"] = card }.ToJsonString());

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(_pipeline.Gateway.BaseUrl, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        request.Headers.Add(LocalApiGateway.IdentityHeader, ApiCalls.Alice);
        return await _http.SendAsync(request);
    }
}
