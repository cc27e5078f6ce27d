using Microsoft.Extensions.Time.Testing;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.UnitTests;

public sealed class FeeServiceTests
{
    [Theory]
    [InlineData("SubscriptionFee", 10, 500)]
    [InlineData("SubscriptionFee", 100, 5000)]
    [InlineData("SubscriptionFee", 101, 5050)]
    [InlineData("TransactionFee", 10, 50)]
    [InlineData("TransactionFee", 100, 500)]
    [InlineData("TransactionFee", 101, 505)]
    public async Task A_fee_costs_its_unit_price_times_the_quantity_and_waits_for_payment(string type, long quantity, long amount)
    {
        var store = new InMemoryInvoiceStore();
        var fee = (await new FeeService(store, new FakeTimeProvider()).BillAsync("alice", type, quantity, "pm_card_visa", default)).Value!;
        Assert.Equal((amount, "USD", InvoiceStatus.Processing), (fee.Details.Amount, fee.Details.Currency, fee.Status));
        Assert.True(InvoiceIds.IsWellFormedFee(fee.InvoiceId));
        Assert.Equal(fee, await store.GetAsync("alice", fee.InvoiceId, default));
    }

    [Theory]
    [InlineData("MonthlyFee", 1, "pm_card_visa", "txnType")]
    [InlineData(null, 1, "pm_card_visa", "txnType")]
    [InlineData("TransactionFee", 0, "pm_card_visa", "txnQty")]
    [InlineData("TransactionFee", 1_000_001, "pm_card_visa", "txnQty")]
    [InlineData("TransactionFee", 1, "tok_visa", "paymentMethodId")]
    public async Task Bad_fee_requests_name_the_field_and_write_nothing(string? type, long quantity, string pm, string field)
    {
        var store = new InMemoryInvoiceStore();
        var result = await new FeeService(store, new FakeTimeProvider()).BillAsync("alice", type, quantity, pm, default);
        Assert.Contains(result.Failure!.Details!, d => d.Field == field);
        Assert.Equal(0, store.Writes);
    }
}
