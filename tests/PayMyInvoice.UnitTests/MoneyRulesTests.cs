using Microsoft.Extensions.Time.Testing;
using PayMyInvoice.Api;
using PayMyInvoice.Core;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Tests;

namespace PayMyInvoice.UnitTests;

/// <summary>Amounts Stripe would refuse are refused before anything is written, for invoices and fees.</summary>
public sealed class MoneyRulesTests
{
    private static Result<(InvoiceDetails Details, InvoiceStatus? Status)> Validate(long amount, string currency) =>
        InvoiceValidator.Validate(InvoiceValidatorTests.Valid() with { Amount = amount, Currency = currency }, "alice");

    private static FieldError AmountError(long amount, string currency) =>
        Assert.Single(Validate(amount, currency).Failure!.Details!, d => d.Field == "amount");

    [Theory]
    [InlineData(49, "USD", "USD 0.50", 50)]
    [InlineData(1, "EUR", "EUR 0.50", 50)]
    [InlineData(29, "GBP", "GBP 0.30", 30)]
    [InlineData(49, "JPY", "JPY 50", 50)]
    [InlineData(17_499, "HUF", "HUF 175.00", 17_500)]
    [InlineData(999, "MXN", "MXN 10.00", 1_000)]
    public void An_amount_below_Stripes_minimum_for_its_currency_is_a_400_naming_the_minimum(long amount, string currency, string minimum, long minorUnits)
    {
        var error = AmountError(amount, currency);
        Assert.Equal("below_minimum", error.Code);
        Assert.StartsWith($"Must be at least {minimum} ({minorUnits} minor units)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(50, "USD")]
    [InlineData(50, "EUR")]
    [InlineData(30, "GBP")]
    [InlineData(50, "JPY")]
    [InlineData(17_500, "HUF")]
    [InlineData(1_010, "KWD")]
    [InlineData(99_999_999, "USD")]
    public void An_amount_at_or_above_the_minimum_is_accepted(long amount, string currency) =>
        Assert.True(Validate(amount, currency).IsSuccess);

    [Theory]
    [InlineData(1_005, "KWD")]
    [InlineData(1_001, "BHD")]
    [InlineData(12_349, "JOD")]
    [InlineData(15, "OMR")]
    [InlineData(1_009, "TND")]
    public void A_three_decimal_amount_that_does_not_end_in_0_is_refused_as_not_a_multiple_of_10(long amount, string currency)
    {
        var error = AmountError(amount, currency);
        Assert.Equal("not_multiple_of_10", error.Code);
        Assert.Contains($"{amount / 10 * 10} or {(amount / 10 * 10) + 10}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_three_decimal_amount_below_one_chargeable_step_is_below_the_minimum() =>
        Assert.Equal(("below_minimum", "Must be at least KWD 0.010 (10 minor units), the least Stripe charges in KWD."), (AmountError(5, "KWD").Code, AmountError(5, "KWD").Message));

    [Theory]
    [InlineData(150, "ISK")]
    [InlineData(50_050, "UGX")]
    public void Stripe_takes_ISK_and_UGX_in_whole_units_so_their_amount_must_end_in_00(long amount, string currency)
    {
        Assert.Equal("not_multiple_of_100", AmountError(amount, currency).Code);
        Assert.True(Validate(amount / 100 * 100, currency).IsSuccess);
    }

    [Theory]
    [InlineData(1, "KES")]
    [InlineData(1, "CLP")]
    [InlineData(10, "BHD")]
    [InlineData(100, "ISK")]
    public void A_currency_Stripe_lists_no_minimum_for_needs_only_one_chargeable_step(long amount, string currency)
    {
        Assert.Equal(amount, MoneyRules.MinimumFor(currency));
        Assert.True(Validate(amount, currency).IsSuccess);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-50)]
    [InlineData(100_000_000)]
    public void An_amount_that_is_not_positive_or_has_more_than_8_digits_is_out_of_range_naming_both_bounds(long amount)
    {
        var error = AmountError(amount, "USD");
        Assert.Equal("out_of_range", error.Code);
        Assert.Contains("from 50 to 99999999 (USD 0.50 to USD 999,999.99)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("IRR")]
    [InlineData("GHS")]
    [InlineData("STN")]
    public void A_currency_Stripe_does_not_charge_in_is_refused(string currency)
    {
        var details = Validate(1500, currency).Failure!.Details!;
        Assert.Contains(details, d => (d.Field, d.Code) == ("currency", "not_supported"));
        Assert.DoesNotContain(details, d => d.Field == "amount");
    }

    [Theory]
    [InlineData(50, "USD", "USD 0.50")]
    [InlineData(50, "JPY", "JPY 50")]
    [InlineData(500, "MGA", "MGA 500")]
    [InlineData(1_010, "KWD", "KWD 1.010")]
    [InlineData(500, "ISK", "ISK 5.00")]
    [InlineData(150_000, "USD", "USD 1,500.00")]
    public void Amounts_are_formatted_in_Stripes_units_for_their_currency(long amount, string currency, string formatted) =>
        Assert.Equal(formatted, Currencies.Format(amount, currency));

    [Fact]
    public async Task An_invoice_below_the_minimum_is_a_400_validation_failed_naming_the_field_and_the_minimum()
    {
        var store = new InMemoryInvoiceStore();
        var api = new ApiCalls(ApiFunctions.Create(() => store, TestPayLinks.Keys));
        var result = await api.CreateAsync(ApiCalls.NewInvoice(amount: 49));
        Assert.Equal((400, "validation_failed"), (result.Status, result.ErrorCode));
        var detail = Assert.Single(result.Body!["error"]!["details"]!.AsArray())!;
        Assert.Equal(("amount", "below_minimum"), (detail["field"]!.GetValue<string>(), detail["code"]!.GetValue<string>()));
        Assert.Contains("USD 0.50 (50 minor units)", detail["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, store.Writes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(9)]
    public async Task A_TransactionFee_below_10_units_is_refused_naming_txnQty_and_the_minimum_quantity(long quantity)
    {
        var store = new InMemoryInvoiceStore();
        var result = await new FeeService(store, new FakeTimeProvider()).BillAsync("alice", "TransactionFee", quantity, "pm_card_visa", default);
        var error = Assert.Single(result.Failure!.Details!);
        Assert.Equal(("txnQty", "below_minimum"), (error.Field, error.Code));
        Assert.StartsWith("Must be at least 10:", error.Message, StringComparison.Ordinal);
        Assert.Contains("USD 0.50 (50 minor units)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.Writes);
    }

    [Theory]
    [InlineData("TransactionFee", 10, 50)]
    [InlineData("SubscriptionFee", 1, 50)]
    public async Task The_least_quantity_of_each_fee_costs_exactly_Stripes_minimum(string type, long quantity, long amount)
    {
        Assert.Equal(quantity, FeeService.MinimumQuantity(type));
        var fee = (await new FeeService(new InMemoryInvoiceStore(), new FakeTimeProvider()).BillAsync("alice", type, quantity, "pm_card_visa", default)).Value!;
        Assert.Equal(amount, fee.Details.Amount);
    }

    [Fact]
    public async Task A_one_unit_TransactionFee_is_a_400_from_POST_billing()
    {
        var api = new ApiCalls(ApiFunctions.Create(() => new InMemoryInvoiceStore(), TestPayLinks.Keys));
        var result = await api.SendAsync("billing", ApiCalls.Event("POST", "/billing", body: """{"txnType":"TransactionFee","txnQty":1,"paymentMethodId":"pm_card_visa"}"""));
        Assert.Equal((400, "validation_failed"), (result.Status, result.ErrorCode));
        var detail = Assert.Single(result.Body!["error"]!["details"]!.AsArray())!;
        Assert.Equal(("txnQty", "below_minimum"), (detail["field"]!.GetValue<string>(), detail["code"]!.GetValue<string>()));
        Assert.StartsWith("Must be at least 10", detail["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
