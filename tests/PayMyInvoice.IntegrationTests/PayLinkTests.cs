using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Local;
using PayMyInvoice.StripeEmulator;
using PayMyInvoice.Tests;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// The payer's side over plain HTTP on the local pipeline: the pay link in the invoice and the email, its public page,
/// Pay → one Stripe Checkout Session → the emulator's hosted page → signed webhooks → paid. (The same in a real
/// browser: PayLinkBrowserTests.)
/// </summary>
[Collection(LocalServicesCollection.Name)]
public sealed class PayLinkTests(LocalServicesFixture local) : IAsyncLifetime
{
    private LocalPipeline _pipeline = null!;
    private StripeEmulatorServer _stripe = null!;
    private DynamoDbInvoiceStore _store = null!;
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false });
    private readonly string _payer = $"payer-{Guid.NewGuid():N}@example.com";
    private readonly string _issuer = $"issuer-{Guid.NewGuid():N}@example.com";

    public async Task InitializeAsync()
    {
        _pipeline = await local.StartPipelineAsync();
        _stripe = _pipeline.Stripe;
        await _pipeline.DrainAsync(CancellationToken.None);
        _store = new DynamoDbInvoiceStore(local.DynamoDb, _pipeline.Deployment.TableName("InvoicesTable"));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _pipeline.DisposeAsync();
    }

    [Fact]
    public async Task An_issued_invoice_has_a_pay_link_in_its_JSON_and_the_payers_email_and_the_token_is_stored_nowhere()
    {
        // With an Idempotency-Key the answer is remembered, so it carries no link; the GET has it.
        var keyed = await SendAsync(HttpMethod.Post, "/invoices", InvoiceJson(), new() { ["Idempotency-Key"] = "create-once" });
        var keyedBody = (await keyed.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Null(keyedBody["payUrl"]);
        var keyedUrl = (await GetJsonAsync($"/invoices/{keyedBody["invoiceId"]!.GetValue<string>()}"))["payUrl"]!.GetValue<string>();
        var (id, payUrl) = await CreateAsync();
        Assert.StartsWith(new Uri(_pipeline.Gateway.BaseUrl, "/pay/").AbsoluteUri, payUrl, StringComparison.Ordinal);
        var token = payUrl[(payUrl.LastIndexOf('/') + 1)..];
        Assert.Equal(43, token.Length); // 256 bits, base64url

        var got = await GetJsonAsync($"/invoices/{id}");
        Assert.Equal(payUrl, got["payUrl"]!.GetValue<string>());
        await _pipeline.DrainAsync(CancellationToken.None);
        Assert.Single(await local.InboxAsync(_payer), m => m["text"]!.GetValue<string>().Contains(payUrl, StringComparison.Ordinal));

        // Neither the invoice, nor the remembered Idempotency-Key answer, nor anything else in either table holds it.
        foreach (var table in new[] { "InvoicesTable", "IdempotencyTable" })
        {
            var items = await local.DynamoDb.ScanAsync(new ScanRequest { TableName = _pipeline.Deployment.TableName(table) });
            Assert.NotEmpty(items.Items);
            foreach (var secret in new[] { token, keyedUrl[(keyedUrl.LastIndexOf('/') + 1)..] })
            {
                Assert.DoesNotContain(items.Items, item => item.Values.Any(value => Flatten(value).Contains(secret, StringComparison.Ordinal)));
            }
        }

        var page = await _http.GetAsync(payUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Website redesign", html, StringComparison.Ordinal);
        Assert.Contains("USD 1,500.00", html, StringComparison.Ordinal);
        Assert.Contains(_issuer, html, StringComparison.Ordinal);
        Assert.Contains("<button type=\"submit\">Pay USD 1,500.00</button>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drafts_have_no_link_and_unknown_tampered_or_voided_links_are_the_same_404()
    {
        var draft = await SendAsync(HttpMethod.Post, "/invoices", InvoiceJson(status: "draft"));
        Assert.Null((await draft.Content.ReadFromJsonAsync<JsonNode>())!["payUrl"]);

        var (id, payUrl) = await CreateAsync();
        var tampered = payUrl[..^1] + (payUrl[^1] == 'A' ? 'B' : 'A');
        var unknown = new Uri(_pipeline.Gateway.BaseUrl, "/pay/" + new string('x', 43)).AbsoluteUri;
        var malformed = new Uri(_pipeline.Gateway.BaseUrl, "/pay/abc").AbsoluteUri;
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(payUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/invoices/{id}/void", "")).StatusCode);

        var bodies = new List<string>();
        foreach (var url in new[] { payUrl, tampered, unknown, malformed })
        {
            var page = await _http.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            bodies.Add(await page.Content.ReadAsStringAsync());
            var press = await _http.PostAsync(url + "/checkout", null);
            Assert.Equal(HttpStatusCode.NotFound, press.StatusCode);
        }

        Assert.Single(bodies.Distinct()); // nothing tells a revoked link from a guess
        Assert.Null((await GetJsonAsync($"/invoices/{id}"))["payUrl"]);
        Assert.Empty(_stripe.CheckoutSessions);
    }

    [Fact]
    public async Task Pay_opens_one_Checkout_Session_the_payer_pays_on_Stripe_and_comes_back_to_a_paid_invoice()
    {
        var (id, payUrl) = await CreateAsync();
        var press = await _http.PostAsync(payUrl + "/checkout", null);
        Assert.Equal(HttpStatusCode.SeeOther, press.StatusCode);
        var checkoutUrl = press.Headers.Location!;
        var session = Assert.Single(_stripe.CheckoutSessions);
        Assert.Equal(session.Url, checkoutUrl);
        Assert.Equal((150000L, "usd", "payment"), (session.AmountTotal, session.Currency, "payment"));
        Assert.Equal(id, session.Metadata["invoiceId"]);
        Assert.Equal(session.Metadata["paymentId"], session.ClientReferenceId);
        Assert.Equal(payUrl + "?checkout=success", session.SuccessUrl);
        Assert.InRange(DateTimeOffset.FromUnixTimeSeconds(session.ExpiresAt) - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(31), TimeSpan.FromMinutes(34));

        // A second press (another tab, a double click) goes to the same session; the invoice waits on it.
        Assert.Equal(checkoutUrl, (await _http.PostAsync(payUrl + "/checkout", null)).Headers.Location);
        Assert.Single(_stripe.CheckoutSessions);
        Assert.Equal(InvoiceStatus.Processing, (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status);
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(HttpMethod.Post, $"/invoices/{id}/pay", """{"paymentMethodId":"pm_card_visa"}""")).StatusCode);

        var paid = await _http.PostAsync(checkoutUrl, new FormUrlEncodedContent([new("payment_method", "pm_card_visa")]));
        Assert.Equal(HttpStatusCode.SeeOther, paid.StatusCode);
        Assert.Equal(payUrl + "?checkout=success", paid.Headers.Location!.AbsoluteUri);
        await _pipeline.DrainAsync(CancellationToken.None);

        Assert.Equal(InvoiceStatus.Paid, (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status);
        Assert.Single(_stripe.PaymentIntents, i => i.Metadata.GetValueOrDefault("invoiceId") == id && i.Status == "succeeded"); // one charge
        Assert.Contains("Paid. Thank you", await (await _http.GetAsync(paid.Headers.Location)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["Invoice for USD 1,500.00: Website redesign", "Receipt: USD 1,500.00 paid"], (await local.InboxAsync(_payer)).Select(m => m["subject"]!.GetValue<string>()).Order());
        Assert.Equal("Paid: Website redesign (USD 1,500.00)", Assert.Single(await local.InboxAsync(_issuer))["subject"]!.GetValue<string>());

        // Paid is final: pressing Pay again goes back to the page and opens nothing.
        var again = await _http.PostAsync(payUrl + "/checkout", null);
        Assert.Equal((HttpStatusCode.SeeOther, payUrl), (again.StatusCode, again.Headers.Location!.AbsoluteUri));
        Assert.Single(_stripe.CheckoutSessions);
    }

    [Fact]
    public async Task A_session_the_payer_walks_away_from_expires_and_the_invoice_is_payable_again_without_a_second_issued_email()
    {
        var (id, payUrl) = await CreateAsync();
        var first = (await _http.PostAsync(payUrl + "/checkout", null)).Headers.Location!;
        _stripe.ExpireNow(Assert.Single(_stripe.CheckoutSessions).Id);
        await _pipeline.DrainAsync(CancellationToken.None);

        var invoice = (await _store.GetAsync(ApiCalls.Alice, id, default))!;
        Assert.Equal(InvoiceStatus.Open, invoice.Status);
        Assert.Single(await local.InboxAsync(_payer)); // the issue email only: an abandoned session tells nobody anything

        var second = (await _http.PostAsync(payUrl + "/checkout", null)).Headers.Location!;
        Assert.NotEqual(first, second);
        Assert.Equal(2, _stripe.CheckoutSessions.Count);
    }

    private async Task<(string Id, string PayUrl)> CreateAsync(string? key = null)
    {
        var response = await SendAsync(HttpMethod.Post, "/invoices", InvoiceJson(), key is null ? null : new() { ["Idempotency-Key"] = key });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        return (body["invoiceId"]!.GetValue<string>(), body["payUrl"]!.GetValue<string>());
    }

    private string InvoiceJson(string status = "open")
    {
        var invoice = ApiCalls.NewInvoice(amount: 150000);
        invoice["payerEmail"] = _payer;
        invoice["issuerEmail"] = _issuer;
        invoice["description"] = "Website redesign";
        invoice["status"] = status;
        return invoice.ToJsonString();
    }

    private async Task<JsonNode> GetJsonAsync(string path) =>
        (await (await SendAsync(HttpMethod.Get, path, null)).Content.ReadFromJsonAsync<JsonNode>())!;

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, Dictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(_pipeline.Gateway.BaseUrl, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        request.Headers.Add(LocalApiGateway.IdentityHeader, ApiCalls.Alice);
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.Add(name, value);
        }

        return await _http.SendAsync(request);
    }

    private static string Flatten(AttributeValue value) =>
        value.S ?? string.Join("\n", (value.M ?? []).Values.Select(Flatten).Concat((value.L ?? []).Select(Flatten)));
}
