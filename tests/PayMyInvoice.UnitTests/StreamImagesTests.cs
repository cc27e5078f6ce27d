using PayMyInvoice.Infrastructure.DynamoDb;
using StreamValue = PayMyInvoice.Contracts.DynamoDBEvents.DynamoDBEvent.AttributeValue;

namespace PayMyInvoice.UnitTests;

/// <summary>Stream images the invoice mapping cannot read fail loudly, so the stream worker reports the record.</summary>
public sealed class StreamImagesTests
{
    private static Dictionary<string, StreamValue> Image() => new(StringComparer.Ordinal)
    {
        ["userId"] = new() { S = "u" },
        ["invoiceId"] = new() { S = "inv_1" },
        ["payerEmail"] = new() { S = "p@example.com" },
        ["description"] = new() { S = "d" },
        ["amount"] = new() { N = "1500" },
        ["currency"] = new() { S = "USD" },
        ["dueDate"] = new() { S = "2026-12-31" },
        ["status"] = new() { S = "open" },
        ["version"] = new() { N = "1" },
        ["createdAt"] = new() { S = "2026-11-20T09:00:00+00:00" },
        ["updatedAt"] = new() { S = "2026-11-20T09:00:00+00:00" },
    };

    [Fact]
    public void A_well_formed_image_is_an_invoice() =>
        Assert.Equal(("u", "inv_1", "USD"), StreamImages.ToInvoice(Image()) is { } i ? (i.UserId, i.InvoiceId, i.Details.Currency) : default);

    [Theory]
    [InlineData("userId")]
    [InlineData("invoiceId")]
    [InlineData("description")]
    [InlineData("currency")]
    [InlineData("status")]
    public void A_required_text_attribute_of_another_type_is_unreadable_not_null(string attribute)
    {
        foreach (var wrong in new StreamValue[] { new() { N = "1" }, new() { NULL = true }, new() { B = [1, 2] }, new() { M = new Dictionary<string, StreamValue>() }, new() { L = [] }, new() })
        {
            var image = Image();
            image[attribute] = wrong;
            Assert.Throws<InvalidDataException>(() => StreamImages.ToInvoice(image));
        }
    }
}
