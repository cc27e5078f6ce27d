using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.UnitTests;

public sealed class PageCursorTests
{
    [Fact]
    public void A_cursor_round_trips_an_invoice_id()
    {
        var id = InvoiceIds.New();
        Assert.True(PageCursor.TryDecode(PageCursor.Encode(id), out var decoded));
        Assert.Equal(id, decoded);
    }

    [Theory]
    [InlineData("not base64 !")]
    [InlineData("aGVsbG8")]
    [InlineData("")]
    public void A_tampered_cursor_is_refused(string cursor) => Assert.False(PageCursor.TryDecode(cursor, out _));

    [Fact]
    public void New_ids_are_well_formed_and_sort_in_creation_order()
    {
        // Version-7 GUIDs order by millisecond; within one millisecond the rest is random.
        var ids = Enumerable.Range(0, 5).Select(_ =>
        {
            Thread.Sleep(2);
            return InvoiceIds.New();
        }).ToList();
        Assert.All(ids, id => Assert.True(InvoiceIds.IsWellFormed(id)));
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
    }
}
