using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PayMyInvoice.StripeEmulator;
using Stripe;

namespace PayMyInvoice.IntegrationTests;

/// <summary>The emulator, driven by the real Stripe.net client, behaves as Stripe documents.</summary>
public sealed class StripeEmulatorTests : IAsyncLifetime
{
    private StripeEmulatorServer _stripe = null!;
    private StripeClient _client = null!;

    public async Task InitializeAsync()
    {
        _stripe = await StripeEmulatorServer.StartAsync();
        _client = new StripeClient(StripeEmulatorServer.ApiKey, httpClient: new SystemNetHttpClient(new HttpClient { Timeout = TimeSpan.FromSeconds(5) }, maxNetworkRetries: 0), apiBase: _stripe.BaseUrl.ToString().TrimEnd('/'));
    }

    public async Task DisposeAsync() => await _stripe.DisposeAsync();

    private Task<Stripe.PaymentIntent> PayAsync(string paymentMethod, long amount = 1500, string? key = null) =>
        _client.V1.PaymentIntents.CreateAsync(
            new PaymentIntentCreateOptions
            {
                Amount = amount,
                Currency = "usd",
                PaymentMethod = paymentMethod,
                Confirm = true,
                Metadata = new Dictionary<string, string> { ["invoiceId"] = "inv_1" },
                AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true, AllowRedirects = "never" },
            },
            new RequestOptions { IdempotencyKey = key });

    [Fact]
    public async Task A_visa_card_payment_succeeds_and_is_one_charge()
    {
        var intent = await PayAsync("pm_card_visa");
        Assert.Equal("succeeded", intent.Status);
        Assert.Equal(1500, intent.AmountReceived);
        Assert.Equal("inv_1", intent.Metadata["invoiceId"]);
        Assert.StartsWith("ch_", intent.LatestChargeId, StringComparison.Ordinal);
        Assert.Equal(1, _stripe.Charges);
        Assert.Equal("succeeded", (await _client.V1.PaymentIntents.GetAsync(intent.Id)).Status);
    }

    [Fact]
    public async Task The_same_idempotency_key_replays_the_first_result_without_a_second_charge()
    {
        var first = await PayAsync("pm_card_visa", key: "pay_1");
        var again = await PayAsync("pm_card_visa", key: "pay_1");
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(1, _stripe.Charges);
    }

    [Fact]
    public async Task A_key_reused_with_other_parameters_is_an_idempotency_error()
    {
        await PayAsync("pm_card_visa", amount: 1500, key: "pay_2");
        var error = await Assert.ThrowsAsync<StripeException>(() => PayAsync("pm_card_visa", amount: 9999, key: "pay_2"));
        Assert.Equal("idempotency_error", error.StripeError.Type);
        Assert.Equal(1, _stripe.Charges);
    }

    [Theory]
    [InlineData("pm_card_chargeDeclined", "generic_decline")]
    [InlineData("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds")]
    public async Task A_declined_card_is_a_card_error_and_no_charge(string card, string declineCode)
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => PayAsync(card));
        Assert.Equal(System.Net.HttpStatusCode.PaymentRequired, error.HttpStatusCode);
        Assert.Equal(("card_error", "card_declined", declineCode), (error.StripeError.Type, error.StripeError.Code, error.StripeError.DeclineCode));
        Assert.Equal("requires_payment_method", error.StripeError.PaymentIntent.Status);
        Assert.Equal(0, _stripe.Charges);
    }

    [Fact]
    public async Task A_card_that_needs_authentication_requires_action_until_the_bank_approves()
    {
        var intent = await PayAsync("pm_card_authenticationRequired");
        Assert.Equal("requires_action", intent.Status);
        Assert.Equal("use_stripe_sdk", intent.NextAction.Type);
        Assert.False(string.IsNullOrEmpty(intent.ClientSecret));
        _stripe.CompleteAuthentication(intent.Id, approved: true);
        Assert.Equal("succeeded", (await _client.V1.PaymentIntents.GetAsync(intent.Id)).Status);
        Assert.Equal(1, _stripe.Charges);
    }

    [Fact]
    public async Task Injected_server_errors_are_not_saved_so_a_retry_with_the_same_key_charges_once()
    {
        _stripe.FailNext(2, FaultKind.ServerError);
        Assert.Equal("api_error", (await Assert.ThrowsAsync<StripeException>(() => PayAsync("pm_card_visa", key: "pay_3"))).StripeError.Type);
        await Assert.ThrowsAsync<StripeException>(() => PayAsync("pm_card_visa", key: "pay_3"));
        var intent = await PayAsync("pm_card_visa", key: "pay_3");
        Assert.Equal("succeeded", intent.Status);
        Assert.Equal(1, _stripe.Charges);
    }

    [Fact]
    public async Task A_hung_request_times_out_on_the_client()
    {
        _stripe.FailNext(1, FaultKind.Hang);
        var quick = new StripeClient(StripeEmulatorServer.ApiKey, httpClient: new SystemNetHttpClient(new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) }, maxNetworkRetries: 0), apiBase: _stripe.BaseUrl.ToString().TrimEnd('/'));
        await Assert.ThrowsAnyAsync<Exception>(() => quick.V1.PaymentIntents.GetAsync("pi_x"));
        Assert.Equal(0, _stripe.Charges);
    }

    [Fact]
    public async Task Webhooks_are_signed_so_Stripe_net_accepts_them_and_are_retried_until_answered()
    {
        const string secret = "whsec_test";
        var received = new ConcurrentQueue<Event>();
        var refusals = 2;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var endpoint = builder.Build();
        endpoint.MapPost("/webhook", async (HttpRequest request) =>
        {
            if (Interlocked.Decrement(ref refusals) >= 0)
            {
                return Results.StatusCode(503);
            }

            var body = await new StreamReader(request.Body).ReadToEndAsync();
            received.Enqueue(EventUtility.ConstructEvent(body, request.Headers["Stripe-Signature"], secret, 300));
            return Results.Ok();
        });
        await endpoint.StartAsync();
        _stripe.AddWebhookEndpoint(new Uri(endpoint.Urls.First() + "/webhook"), secret);

        var intent = await PayAsync("pm_card_visa");

        for (var i = 0; i < 50 && received.IsEmpty; i++)
        {
            await Task.Delay(100);
        }

        var evt = Assert.Single(received);
        Assert.Equal("payment_intent.succeeded", evt.Type);
        Assert.Equal(intent.Id, ((Stripe.PaymentIntent)evt.Data.Object).Id);
        Assert.Equal(StripeConfiguration.ApiVersion, evt.ApiVersion);
        Assert.Equal([503, 503, 200], _stripe.Deliveries.Where(d => d.EventId == evt.Id).Select(d => d.StatusCode));
    }
}
