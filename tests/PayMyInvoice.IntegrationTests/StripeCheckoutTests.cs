using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PayMyInvoice.StripeEmulator;
using Stripe;
using Stripe.Checkout;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// The emulator's Stripe Checkout, over real HTTP: the real Stripe.net client creates, reads and expires sessions; the
/// hosted page is paid by plain form posts, as a browser without JavaScript would; the merchant's listener gets the
/// signed webhooks. The emulator's clock is a FakeTimeProvider, so expiry is exact and instant.
/// </summary>
public sealed class StripeCheckoutTests : IAsyncLifetime
{
    // Whole seconds, as Stripe's timestamps are; near the real time, so webhook signatures (real clock) stay in tolerance.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private readonly HttpClient _browser = new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(5) };
    private StripeEmulatorServer _stripe = null!;
    private StripeClient _client = null!;
    private CheckoutListener _merchant = null!;

    public async Task InitializeAsync()
    {
        _stripe = await StripeEmulatorServer.StartAsync(time: _time);
        _client = EmulatorStripeClient.For(_stripe);
        _merchant = await CheckoutListener.StartAsync();
        _stripe.AddWebhookEndpoint(new Uri(_merchant.BaseUrl, "webhook"), CheckoutListener.Secret);
    }

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        await _stripe.DisposeAsync();
        await _merchant.DisposeAsync();
    }

    private SessionCreateOptions Options(long amount = 1500, string currency = "usd", DateTime? expiresAt = null) => new()
    {
        Mode = "payment",
        LineItems = [new SessionLineItemOptions { Quantity = 1, PriceData = new SessionLineItemPriceDataOptions { Currency = currency, UnitAmount = amount, ProductData = new SessionLineItemPriceDataProductDataOptions { Name = "Invoice INV-7" } } }],
        SuccessUrl = _merchant.SuccessUrl,
        CancelUrl = _merchant.CancelUrl,
        ClientReferenceId = "inv_7",
        CustomerEmail = "payer@example.com",
        Metadata = new Dictionary<string, string> { ["invoiceId"] = "inv_7" },
        PaymentIntentData = new SessionPaymentIntentDataOptions { Metadata = new Dictionary<string, string> { ["invoiceId"] = "inv_7", ["payLink"] = "pl_1" } },
        ExpiresAt = expiresAt,
    };

    private Task<Session> CreateAsync(SessionCreateOptions? options = null, string? key = null) =>
        _client.V1.Checkout.Sessions.CreateAsync(options ?? Options(), new RequestOptions { IdempotencyKey = key });

    private Task<HttpResponseMessage> PostAsync(string url, string name, string value) =>
        _browser.PostAsync(url, new FormUrlEncodedContent([KeyValuePair.Create(name, value)]));

    private Task<HttpResponseMessage> PayAsync(Session session, string paymentMethod) => PostAsync(session.Url, "payment_method", paymentMethod);

    [Fact]
    public async Task A_session_is_created_retrieved_and_expired_with_Stripe_net_as_Stripe_documents_it()
    {
        var session = await CreateAsync();

        Assert.Matches("^cs_test_[0-9a-f]{58}$", session.Id);
        Assert.Equal(("checkout.session", "payment", "open", "unpaid", false), (session.Object, session.Mode, session.Status, session.PaymentStatus, session.Livemode));
        Assert.Equal((1500L, 1500L, "usd"), (session.AmountTotal, session.AmountSubtotal, session.Currency));
        Assert.Equal(("inv_7", "payer@example.com", "inv_7"), (session.ClientReferenceId, session.CustomerEmail, session.Metadata["invoiceId"]));
        Assert.Equal((_merchant.SuccessUrl, _merchant.CancelUrl), (session.SuccessUrl, session.CancelUrl));
        Assert.Null(session.PaymentIntentId);
        Assert.Equal(new Uri(_stripe.BaseUrl, $"checkout/{session.Id}"), new Uri(session.Url));
        Assert.Equal(_time.GetUtcNow().AddHours(24).ToUnixTimeSeconds(), new DateTimeOffset(session.ExpiresAt, TimeSpan.Zero).ToUnixTimeSeconds());
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds(), new DateTimeOffset(session.Created, TimeSpan.Zero).ToUnixTimeSeconds());
        Assert.Equal("open", (await _client.V1.Checkout.Sessions.GetAsync(session.Id)).Status);
        var stats = JsonNode.Parse(await _browser.GetStringAsync(new Uri(_stripe.BaseUrl, "_emulator/stats")))!;
        Assert.Equal(1, stats["checkoutSessions"]!.GetValue<int>());

        var expired = await _client.V1.Checkout.Sessions.ExpireAsync(session.Id);
        Assert.Equal(("expired", "unpaid"), (expired.Status, expired.PaymentStatus));
        Assert.Null(expired.Url);
        var evt = await _merchant.WaitForEventAsync("checkout.session.expired", session.Id);
        Assert.Equal("expired", ((Session)evt.Data.Object).Status);

        var again = await Assert.ThrowsAsync<StripeException>(() => _client.V1.Checkout.Sessions.ExpireAsync(session.Id));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error"), (again.HttpStatusCode, again.StripeError.Type));
        Assert.Equal("Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of `expired`.", again.StripeError.Message);
        var missing = await Assert.ThrowsAsync<StripeException>(() => _client.V1.Checkout.Sessions.GetAsync("cs_test_nope"));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing", "session"), (missing.HttpStatusCode, missing.StripeError.Code, missing.StripeError.Param));
    }

    [Fact]
    public async Task The_same_idempotency_key_replays_the_session_and_other_parameters_are_an_idempotency_error()
    {
        var first = await CreateAsync(key: "checkout_inv_7");
        var replay = await CreateAsync(key: "checkout_inv_7");
        Assert.Equal(first.Id, replay.Id);
        Assert.Single(_stripe.CheckoutSessions);

        var error = await Assert.ThrowsAsync<StripeException>(() => CreateAsync(Options(amount: 2500), key: "checkout_inv_7"));
        Assert.Equal((HttpStatusCode.BadRequest, "idempotency_error"), (error.HttpStatusCode, error.StripeError.Type));
        Assert.Single(_stripe.CheckoutSessions);
    }

    [Fact]
    public async Task An_injected_fault_saves_nothing_so_a_retry_with_the_same_key_creates_one_session()
    {
        _stripe.FailNext(1, FaultKind.ServerError);
        Assert.Equal("api_error", (await Assert.ThrowsAsync<StripeException>(() => CreateAsync(key: "checkout_retry"))).StripeError.Type);
        Assert.Empty(_stripe.CheckoutSessions);
        await CreateAsync(key: "checkout_retry");
        Assert.Single(_stripe.CheckoutSessions);
    }

    [Theory]
    [InlineData(30 * 60 - 1, "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.")]
    [InlineData(24 * 3600 + 1, "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.")]
    [InlineData(30 * 60, null)]
    [InlineData(24 * 3600, null)]
    public async Task Expires_at_must_be_30_minutes_to_24_hours_away(int seconds, string? message)
    {
        var expiresAt = _time.GetUtcNow().UtcDateTime.AddSeconds(seconds);
        if (message is null)
        {
            Assert.Equal(expiresAt, (await CreateAsync(Options(expiresAt: expiresAt))).ExpiresAt);
            return;
        }

        var error = await Assert.ThrowsAsync<StripeException>(() => CreateAsync(Options(expiresAt: expiresAt)));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error", "expires_at", message), (error.HttpStatusCode, error.StripeError.Type, error.StripeError.Param, error.StripeError.Message));
        Assert.Empty(_stripe.CheckoutSessions);
    }

    [Theory]
    [InlineData(49, "usd", "amount_too_small", "line_items", "Amount must be at least 0.50 usd")]
    [InlineData(100_000_000, "usd", "amount_too_large", "line_items", "Amount must be no more than 999,999.99 usd")]
    [InlineData(1_005, "kwd", "invalid_charge_amount", "line_items", null)]
    [InlineData(1500, "xyz", null, "line_items[0][price_data][currency]", null)]
    public async Task The_total_follows_the_PaymentIntent_money_rules(long amount, string currency, string? code, string param, string? message)
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => CreateAsync(Options(amount, currency)));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error", code, param), (error.HttpStatusCode, error.StripeError.Type, error.StripeError.Code, error.StripeError.Param));
        if (message is not null)
        {
            Assert.Equal(message, error.StripeError.Message);
        }

        Assert.Empty(_stripe.CheckoutSessions);
    }

    [Fact]
    public async Task Missing_line_items_or_success_url_are_Stripe_s_parameter_errors()
    {
        var noItems = Options();
        noItems.LineItems = null;
        var error = await Assert.ThrowsAsync<StripeException>(() => CreateAsync(noItems));
        Assert.Equal(("parameter_missing", "line_items"), (error.StripeError.Code, error.StripeError.Param));

        var badUrl = Options();
        badUrl.SuccessUrl = "javascript:alert(1)";
        error = await Assert.ThrowsAsync<StripeException>(() => CreateAsync(badUrl));
        Assert.Equal(("url_invalid", "success_url"), (error.StripeError.Code, error.StripeError.Param));
        Assert.Empty(_stripe.CheckoutSessions);
    }

    [Fact]
    public async Task Paying_on_the_hosted_page_completes_the_session_charges_once_and_sends_a_signed_completed_event()
    {
        var session = await CreateAsync();
        var page = await _browser.GetStringAsync(session.Url);
        Assert.Contains("USD 15.00", page, StringComparison.Ordinal);
        Assert.Contains("Invoice INV-7", page, StringComparison.Ordinal);
        Assert.Contains("<label for=\"card0\"><span class=\"number\">4242 4242 4242 4242</span>", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"{WebUtility.HtmlEncode(_merchant.CancelUrl)}\"", page, StringComparison.Ordinal);

        using var paid = await PayAsync(session, "pm_card_visa");

        Assert.Equal(HttpStatusCode.SeeOther, paid.StatusCode);
        Assert.Equal($"{_merchant.BaseUrl}success?session_id={session.Id}", paid.Headers.Location!.ToString());
        var complete = await _client.V1.Checkout.Sessions.GetAsync(session.Id);
        Assert.Equal(("complete", "paid"), (complete.Status, complete.PaymentStatus));
        var intent = await _client.V1.PaymentIntents.GetAsync(complete.PaymentIntentId);
        Assert.Equal(("succeeded", 1500L, "usd", "pl_1"), (intent.Status, intent.AmountReceived, intent.Currency, intent.Metadata["payLink"]));
        Assert.Equal(1, _stripe.Charges);

        var completed = await _merchant.WaitForEventAsync("checkout.session.completed", session.Id);
        var sent = (Session)completed.Data.Object;
        Assert.Equal(("complete", "paid", intent.Id, "inv_7"), (sent.Status, sent.PaymentStatus, sent.PaymentIntentId, sent.ClientReferenceId));
        await _merchant.WaitForEventAsync("payment_intent.succeeded", intent.Id);

        Assert.Contains("This payment is complete", await _browser.GetStringAsync(session.Url), StringComparison.Ordinal);
        using var twice = await PayAsync(session, "pm_card_visa");
        Assert.Equal(1, _stripe.Charges);
    }

    [Theory]
    [InlineData("pm_card_chargeDeclined", "Your card was declined.")]
    [InlineData("pm_card_chargeDeclinedInsufficientFunds", "Your card has insufficient funds.")]
    public async Task A_declined_card_shows_the_error_and_the_session_stays_open_for_another_card(string card, string message)
    {
        var session = await CreateAsync();

        using var declined = await PayAsync(session, card);

        Assert.Equal(HttpStatusCode.PaymentRequired, declined.StatusCode);
        var page = await declined.Content.ReadAsStringAsync();
        Assert.Contains($"role=\"alert\" id=\"error\">{WebUtility.HtmlEncode(message)}", page, StringComparison.Ordinal);
        Assert.Contains("name=\"payment_method\"", page, StringComparison.Ordinal);
        var open = await _client.V1.Checkout.Sessions.GetAsync(session.Id);
        Assert.Equal(("open", "unpaid"), (open.Status, open.PaymentStatus));
        Assert.Equal(0, _stripe.Charges);
        await _merchant.WaitForEventAsync("payment_intent.payment_failed", open.PaymentIntentId);

        using var paid = await PayAsync(session, "pm_card_visa");
        Assert.Equal(HttpStatusCode.SeeOther, paid.StatusCode);
        Assert.Equal(open.PaymentIntentId, (await _client.V1.Checkout.Sessions.GetAsync(session.Id)).PaymentIntentId);
        Assert.Equal(1, _stripe.Charges);
    }

    [Fact]
    public async Task A_3D_Secure_card_asks_for_authentication_and_completing_it_pays()
    {
        var session = await CreateAsync();

        using var challenged = await PayAsync(session, TestCards.AuthenticationRequired);
        Assert.Equal(HttpStatusCode.SeeOther, challenged.StatusCode);
        var authenticate = new Uri(new Uri(session.Url), challenged.Headers.Location!);
        var page = await _browser.GetStringAsync(authenticate);
        Assert.Contains("Complete authentication", page, StringComparison.Ordinal);
        Assert.Contains("Fail authentication", page, StringComparison.Ordinal);
        Assert.Equal(("open", 0), ((await _client.V1.Checkout.Sessions.GetAsync(session.Id)).Status, _stripe.Charges));

        using var done = await PostAsync(authenticate.ToString(), "result", "complete");

        Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);
        Assert.Equal($"{_merchant.BaseUrl}success?session_id={session.Id}", done.Headers.Location!.ToString());
        Assert.Equal(("complete", "paid"), ((await _client.V1.Checkout.Sessions.GetAsync(session.Id)).Status, (await _client.V1.Checkout.Sessions.GetAsync(session.Id)).PaymentStatus));
        Assert.Equal(1, _stripe.Charges);
        await _merchant.WaitForEventAsync("checkout.session.completed", session.Id);
    }

    [Fact]
    public async Task Failing_3D_Secure_shows_the_error_and_leaves_the_session_open()
    {
        var session = await CreateAsync();
        using var challenged = await PayAsync(session, TestCards.AuthenticationRequired);
        var authenticate = new Uri(new Uri(session.Url), challenged.Headers.Location!);

        using var failed = await PostAsync(authenticate.ToString(), "result", "fail");

        Assert.Equal(HttpStatusCode.PaymentRequired, failed.StatusCode);
        Assert.Contains("role=\"alert\"", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var open = await _client.V1.Checkout.Sessions.GetAsync(session.Id);
        Assert.Equal(("open", "unpaid"), (open.Status, open.PaymentStatus));
        Assert.Equal("requires_payment_method", (await _client.V1.PaymentIntents.GetAsync(open.PaymentIntentId)).Status);
        Assert.Equal(0, _stripe.Charges);
    }

    [Fact]
    public async Task A_session_expires_when_the_clock_passes_expires_at_and_its_page_says_so()
    {
        var session = await CreateAsync(Options(expiresAt: _time.GetUtcNow().UtcDateTime.AddMinutes(30)));

        _time.Advance(TimeSpan.FromMinutes(30));

        var evt = await _merchant.WaitForEventAsync("checkout.session.expired", session.Id);
        Assert.Equal("expired", ((Session)evt.Data.Object).Status);
        Assert.Equal("expired", (await _client.V1.Checkout.Sessions.GetAsync(session.Id)).Status);
        Assert.Contains("This checkout session has expired", await _browser.GetStringAsync(session.Url), StringComparison.Ordinal);
        using var late = await PayAsync(session, "pm_card_visa");
        Assert.DoesNotContain("name=\"payment_method\"", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, _stripe.Charges);
    }

    [Fact]
    public async Task ExpireNow_expires_an_open_session_as_its_deadline_would()
    {
        var session = await CreateAsync();

        _stripe.ExpireNow(session.Id);

        await _merchant.WaitForEventAsync("checkout.session.expired", session.Id);
        var expired = await _client.V1.Checkout.Sessions.GetAsync(session.Id);
        Assert.Equal(("expired", _time.GetUtcNow().ToUnixTimeSeconds()), (expired.Status, new DateTimeOffset(expired.ExpiresAt, TimeSpan.Zero).ToUnixTimeSeconds()));
        Assert.Throws<InvalidOperationException>(() => _stripe.ExpireNow(session.Id));
    }
}
