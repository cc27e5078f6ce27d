using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.UnitTests;

public sealed class InvoiceLifecycleTests
{
    [Theory]
    [InlineData(InvoiceStatus.Draft, InvoiceStatus.Open, true)]
    [InlineData(InvoiceStatus.Open, InvoiceStatus.Processing, true)]
    [InlineData(InvoiceStatus.Processing, InvoiceStatus.Paid, true)]
    [InlineData(InvoiceStatus.Processing, InvoiceStatus.RequiresAction, true)]
    [InlineData(InvoiceStatus.Processing, InvoiceStatus.PaymentFailed, true)]
    [InlineData(InvoiceStatus.PaymentFailed, InvoiceStatus.Processing, true)]
    [InlineData(InvoiceStatus.PaymentFailed, InvoiceStatus.Void, true)]
    [InlineData(InvoiceStatus.Draft, InvoiceStatus.Void, true)]
    [InlineData(InvoiceStatus.Paid, InvoiceStatus.PaymentFailed, false)]
    [InlineData(InvoiceStatus.Paid, InvoiceStatus.Void, false)]
    [InlineData(InvoiceStatus.Void, InvoiceStatus.Open, false)]
    [InlineData(InvoiceStatus.Open, InvoiceStatus.Draft, false)]
    [InlineData(InvoiceStatus.Draft, InvoiceStatus.Paid, false)]
    public void Invoices_move_only_along_the_documented_transitions(InvoiceStatus from, InvoiceStatus to, bool allowed) =>
        Assert.Equal(allowed, InvoiceLifecycle.CanMove(from, to));

    [Fact]
    public void A_paid_invoice_can_be_neither_edited_nor_deleted()
    {
        Assert.False(InvoiceLifecycle.IsEditable(InvoiceStatus.Paid));
        Assert.False(InvoiceLifecycle.IsDeletable(InvoiceStatus.Paid));
    }

    [Fact]
    public void Status_names_round_trip() =>
        Assert.All(Enum.GetValues<InvoiceStatus>(), s => Assert.True(InvoiceStatusNames.TryParse(s.ToName(), out var back) && back == s));
}
