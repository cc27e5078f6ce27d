using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Lambda;
using PayMyInvoice.Local;
using PayMyInvoice.StripeEmulator;
using PayMyInvoice.Tests;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>
/// No log line carries a secret, a full payment-method id or a full email address: a story that logs a lot (payers'
/// emails, good, declined and 3-D Secure cards, a Stripe outage, webhooks, pay links, fees, errors, concurrent calls)
/// runs on the local pipeline with every function at DEBUG, and every line the functions wrote is scanned for each
/// value that was used. Every line must also be one JSON object naming the invocation it was written in.
/// </summary>
[Trait("Category", ReliabilityRun.Category)]
[Collection(LocalServicesCollection.Name)]
public sealed class LogMaskingTests(LocalServicesFixture local) : IAsyncLifetime
{
    private readonly StringWriter _buffer = new();
    private TextWriter _logs = null!;
    private LocalPipeline _pipeline = null!;
    private StripeEmulatorServer _stripe = null!;
    private DynamoDbInvoiceStore _store = null!;
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false });

    /// <summary>Every value that must never appear whole in a log line, and why.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _secrets = new(
    [
        new(LocalDeployment.WebhookSecret, "webhook signing secret"),
        new(LocalDeployment.PayLinkSecret, "pay-link secret"),
        new("sk_test_local", "Stripe API key"),
    ],
    StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        _logs = TextWriter.Synchronized(_buffer);
        _pipeline = await local.StartPipelineAsync(_logs);
        _stripe = _pipeline.Stripe;
        _store = new DynamoDbInvoiceStore(local.DynamoDb, _pipeline.Deployment.TableName("InvoicesTable"));
        foreach (var name in _pipeline.Deployment.Config.FunctionNames)
        {
            // Everything a function would say, warm-up pings included, and every event it is given (Powertools' log-event
            // switch): request bodies, headers and paths, queue messages, stream records, Stripe's events.
            _pipeline.Deployment.UpdateFunctionConfiguration(name, environment: new Dictionary<string, string> { ["POWERTOOLS_LOG_LEVEL"] = "DEBUG", ["POWERTOOLS_LOGGER_LOG_EVENT"] = "true" });
        }

        await _pipeline.DrainAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _pipeline.DisposeAsync();
    }

    [Fact]
    public async Task No_log_line_carries_a_secret_a_full_payment_method_id_or_a_full_email_address()
    {
        var started = DateTimeOffset.UtcNow;
        var cards = new[] { "pm_card_visa", "pm_card_chargeDeclined", "pm_card_authenticationRequired", "pm_card_chargeDeclinedInsufficientFunds", "pm_card_visa" };
        foreach (var card in cards)
        {
            _secrets[card] = "payment-method id";
        }

        // Invoices with payers' and issuers' addresses, paid concurrently with every kind of card.
        var invoices = await Task.WhenAll(cards.Select(_ => CreateAsync()));
        await _pipeline.DrainAsync(CancellationToken.None); // issued emails
        var paid = await Task.WhenAll(invoices.Zip(cards).Select(p => SendAsync(HttpMethod.Post, $"/invoices/{p.First}/pay", new JsonObject { ["paymentMethodId"] = p.Second }.ToJsonString())));
        Assert.All(paid, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        await _pipeline.DrainAsync(CancellationToken.None);

        // 3-D Secure: approved on Stripe's side, settled by its webhook; its client secret must not be logged either.
        foreach (var intent in _stripe.PaymentIntents.Where(i => i.Status == "requires_action").ToList())
        {
            _secrets[intent.ClientSecret] = "PaymentIntent client secret";
            _stripe.CompleteAuthentication(intent.Id, approved: true);
        }

        await WaitForWebhooksAsync();
        await _pipeline.DrainAsync(CancellationToken.None);

        // Stripe refusing our key: the billing worker logs what Stripe said.
        var outage = await CreateAsync();
        await _pipeline.DrainAsync(CancellationToken.None);
        _stripe.FailNext(1, FaultKind.AuthenticationError);
        await SendAsync(HttpMethod.Post, $"/invoices/{outage}/pay", """{"paymentMethodId":"pm_card_visa"}""");
        await _pipeline.DrainAsync(CancellationToken.None);

        // Pay links: the page, a checkout, a tampered token; and the payer paying on Checkout.
        var linked = await CreateAsync();
        var token = await TokenAsync(linked);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri(_pipeline.Gateway.BaseUrl, $"/pay/{token}"))).StatusCode);
        await _http.GetAsync(new Uri(_pipeline.Gateway.BaseUrl, $"/pay/{token[..^1]}{(token[^1] == 'A' ? 'B' : 'A')}"));
        var press = await _http.PostAsync(new Uri(_pipeline.Gateway.BaseUrl, $"/pay/{token}/checkout"), null);
        Assert.Equal(HttpStatusCode.SeeOther, press.StatusCode);
        await _http.PostAsync(press.Headers.Location, new FormUrlEncodedContent([new("payment_method", "pm_card_visa")]));
        await WaitForWebhooksAsync();
        await _pipeline.DrainAsync(CancellationToken.None);

        // Webhooks: a forged one, an unsigned one, and a signed one our pipeline cannot place.
        var body = """{"id":"evt_logs","object":"event","type":"payment_intent.payment_failed","data":{"object":{"id":"pi_logs","object":"payment_intent","metadata":{"invoiceId":"inv_00000000000000000000000000000000","paymentId":"pay_x"},"last_payment_error":{"code":"card_declined","payment_method":{"id":"pm_card_visa"}}}}}""";
        await PostWebhookAsync(body, StripeEmulatorServer.SignatureHeader(body, "whsec_someone_else", DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await PostWebhookAsync(body, null);
        await PostWebhookAsync(body, StripeEmulatorServer.SignatureHeader(body, LocalDeployment.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

        // Errors and refusals: a fee, a bad body, paying what is being paid, another user's invoice.
        await SendAsync(HttpMethod.Post, "/billing", """{"txnType":"SubscriptionFee","txnQty":3,"paymentMethodId":"pm_card_chargeDeclined"}""");
        await SendAsync(HttpMethod.Post, "/invoices", """{"payerEmail":"not-an-email","amount":-1}""");
        await SendAsync(HttpMethod.Post, $"/invoices/{invoices[0]}/pay", """{"paymentMethodId":"pm_card_visa"}""");
        await SendAsync(HttpMethod.Get, $"/invoices/{invoices[0]}", null, ApiCalls.Bob);
        await _pipeline.DrainAsync(CancellationToken.None);

        // Warm-up pings reach every function.
        foreach (var name in _pipeline.Deployment.Config.FunctionNames)
        {
            await _pipeline.Deployment.InvokeAsync(name, """{"source":"serverless-plugin-warmup"}"""u8.ToArray(), CancellationToken.None);
        }

        // Scan.
        string text;
        lock (_logs)
        {
            text = _buffer.ToString(); // the synchronized writer locks on itself
        }

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var leaks = new List<string>();
        var malformed = new List<string>();
        var masked = 0;
        foreach (var line in lines)
        {
            foreach (var (secret, what) in _secrets)
            {
                if (line.Contains(secret, StringComparison.Ordinal) || line.Contains(System.Text.Json.JsonEncodedText.Encode(secret).ToString(), StringComparison.Ordinal))
                {
                    leaks.Add($"{what} in: {line}");
                }
            }

            masked += line.Contains(LogMasking.Mask4, StringComparison.Ordinal) || line.Contains("***@", StringComparison.Ordinal) ? 1 : 0;
            JsonNode? json = null;
            try
            {
                json = line.StartsWith('{') ? JsonNode.Parse(line) : null;
            }
            catch (System.Text.Json.JsonException)
            {
                // counted below
            }

            if (json is not JsonObject || json["function_request_id"]?.GetValue<string>() is not { Length: > 0 })
            {
                malformed.Add(line);
            }
        }

        ReliabilityRun.Record("access", "logs", new
        {
            checks = lines.Length,
            leaks = leaks.Count,
            valuesWatched = _secrets.Count,
            linesWithMaskedValues = masked,
            linesNotJsonOrWithoutRequestId = malformed.Count,
            leakDetails = leaks.Take(20),
            seconds = Math.Round((DateTimeOffset.UtcNow - started).TotalSeconds, 1),
        });
        Assert.True(lines.Length > 50, $"the story should log plenty; it logged {lines.Length} line(s)");
        Assert.True(masked > 10, $"the events logged carry emails, cards and tokens, so lines with masked values are expected; {masked} had any");
        Assert.True(leaks.Count == 0, "log leaks:\n" + string.Join("\n", leaks.Take(20)));
        Assert.True(malformed.Count == 0, "lines that are not JSON with a function_request_id:\n" + string.Join("\n", malformed.Take(20)));
    }

    private async Task<string> CreateAsync()
    {
        var payer = $"payer-{Guid.NewGuid():N}@example.com";
        var issuer = $"issuer.{Guid.NewGuid():N}@billing.example.org";
        _secrets[payer] = "payer's email";
        _secrets[issuer] = "issuer's email";
        var invoice = ApiCalls.NewInvoice(amount: 150000);
        invoice["payerEmail"] = payer;
        invoice["issuerEmail"] = issuer;
        invoice["description"] = "Website redesign";
        var response = await SendAsync(HttpMethod.Post, "/invoices", invoice.ToJsonString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if (created["payUrl"]?.GetValue<string>() is { } url)
        {
            _secrets[url[(url.LastIndexOf('/') + 1)..]] = "pay-link token";
        }

        return created["invoiceId"]!.GetValue<string>();
    }

    private async Task<string> TokenAsync(string id)
    {
        var invoice = JsonNode.Parse(await (await SendAsync(HttpMethod.Get, $"/invoices/{id}", null)).Content.ReadAsStringAsync())!;
        var url = invoice["payUrl"]!.GetValue<string>();
        return url[(url.LastIndexOf('/') + 1)..];
    }

    private async Task WaitForWebhooksAsync()
    {
        for (var i = 0; i < 100 && _stripe.PendingWebhooks > 0; i++)
        {
            await Task.Delay(50);
        }
    }

    private async Task PostWebhookAsync(string body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_pipeline.Gateway.BaseUrl, "/webhooks/stripe")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add("Stripe-Signature", signature);
        }

        using var response = await _http.SendAsync(request);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, string identity = ApiCalls.Alice)
    {
        using var request = new HttpRequestMessage(method, new Uri(_pipeline.Gateway.BaseUrl, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        request.Headers.Add(LocalApiGateway.IdentityHeader, identity);
        return await _http.SendAsync(request);
    }
}
