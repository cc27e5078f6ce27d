using PayMyInvoice.Core.Invoices;
using PayMyInvoice.StripeEmulator;
using Stripe;

namespace PayMyInvoice.IntegrationTests;

/// <summary>The emulator refuses, as Stripe does, the amounts and currencies Stripe will not charge; the real Stripe.net reads its answers.</summary>
public sealed class StripeEmulatorMoneyTests : IAsyncLifetime
{
    private StripeEmulatorServer _stripe = null!;
    private StripeClient _client = null!;

    public async Task InitializeAsync()
    {
        _stripe = await StripeEmulatorServer.StartAsync();
        _client = new StripeClient(StripeEmulatorServer.ApiKey, httpClient: new SystemNetHttpClient(new HttpClient { Timeout = TimeSpan.FromSeconds(5) }, maxNetworkRetries: 0), apiBase: _stripe.BaseUrl.ToString().TrimEnd('/'));
    }

    public async Task DisposeAsync() => await _stripe.DisposeAsync();

    private Task<Stripe.PaymentIntent> PayAsync(long amount, string currency, string? key = null) =>
        _client.V1.PaymentIntents.CreateAsync(
            new PaymentIntentCreateOptions
            {
                Amount = amount,
                Currency = currency,
                PaymentMethod = "pm_card_visa",
                Confirm = true,
                AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true, AllowRedirects = "never" },
            },
            new RequestOptions { IdempotencyKey = key });

    [Theory]
    [InlineData(49, "usd", "Amount must be at least 0.50 usd")]
    [InlineData(29, "gbp", "Amount must be at least 0.30 gbp")]
    [InlineData(49, "jpy", "Amount must be at least 50 jpy")]
    public async Task An_amount_below_the_currencys_minimum_is_amount_too_small_and_no_charge(long amount, string currency, string message)
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => PayAsync(amount, currency));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal(("invalid_request_error", "amount_too_small", "amount"), (error.StripeError.Type, error.StripeError.Code, error.StripeError.Param));
        Assert.Equal(message, error.StripeError.Message);
        Assert.Equal(0, _stripe.Charges);
        Assert.Empty(_stripe.PaymentIntents);
    }

    [Theory]
    [InlineData(50, "usd")]
    [InlineData(50, "jpy")]
    [InlineData(1_010, "kwd")]
    [InlineData(500, "isk")]
    public async Task The_minimum_itself_and_a_three_decimal_amount_ending_in_0_are_charged(long amount, string currency)
    {
        var intent = await PayAsync(amount, currency);
        Assert.Equal(("succeeded", amount), (intent.Status, intent.AmountReceived));
        Assert.Equal(1, _stripe.Charges);
    }

    [Theory]
    [InlineData(1_005, "kwd")]
    [InlineData(150, "isk")]
    public async Task An_amount_finer_than_Stripe_charges_the_currency_in_is_an_invalid_request(long amount, string currency)
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => PayAsync(amount, currency));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal(("invalid_request_error", "invalid_charge_amount", "amount"), (error.StripeError.Type, error.StripeError.Code, error.StripeError.Param));
        Assert.Equal(0, _stripe.Charges);
    }

    [Theory]
    [InlineData("irr")]
    [InlineData("xyz")]
    public async Task A_currency_Stripe_does_not_support_is_an_invalid_request_naming_currency(string currency)
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => PayAsync(1500, currency));
        Assert.Equal(("invalid_request_error", "currency"), (error.StripeError.Type, error.StripeError.Param));
        Assert.StartsWith($"Invalid currency: {currency}.", error.StripeError.Message, StringComparison.Ordinal);
        Assert.Equal(0, _stripe.Charges);
    }

    [Fact]
    public async Task More_than_8_digits_is_amount_too_large()
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => PayAsync(100_000_000, "usd"));
        Assert.Equal(("invalid_request_error", "amount_too_large"), (error.StripeError.Type, error.StripeError.Code));
    }

    [Fact]
    public async Task A_refused_amount_is_not_saved_under_its_idempotency_key_so_a_corrected_retry_is_charged()
    {
        // Stripe saves no idempotent result for a request that fails validation.
        await Assert.ThrowsAsync<StripeException>(() => PayAsync(49, "usd", key: "pay_small"));
        var intent = await PayAsync(50, "usd", key: "pay_small");
        Assert.Equal("succeeded", intent.Status);
        Assert.Equal(1, _stripe.Charges);
    }

    public static TheoryData<string, long> Cases()
    {
        var cases = new TheoryData<string, long>();
        foreach (var currency in new[] { "USD", "EUR", "GBP", "JPY", "KRW", "HUF", "MXN", "KWD", "BHD", "ISK", "UGX", "KES", "CLP", "IRR", "XYZ" })
        {
            foreach (var amount in new long[] { 0, 1, 5, 9, 10, 29, 30, 49, 50, 55, 100, 150, 1_005, 1_010, 17_499, 17_500, 99_999_999, 100_000_000 })
            {
                cases.Add(currency, amount);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_emulator_refuses_exactly_the_amounts_and_currencies_invoice_validation_refuses(string currency, long amount)
    {
        var input = new InvoiceInput { PayerEmail = "payer@example.com", Description = "x", Amount = amount, Currency = currency, DueDate = "2026-12-31" };
        var refusedByValidation = InvoiceValidator.Validate(input, "alice").Failure?.Details?.Any(d => d.Field is "amount" or "currency") ?? false;
        var refusedByEmulator = amount < 1 || ChargeRules.Refusal(amount, currency.ToLowerInvariant()) is not null;
        Assert.Equal(refusedByValidation, refusedByEmulator);
    }
}
