using PayMyInvoice.Core.Invoices;
using StreamValue = PayMyInvoice.Contracts.DynamoDBEvents.DynamoDBEvent.AttributeValue;
using TableValue = Amazon.DynamoDBv2.Model.AttributeValue;

namespace PayMyInvoice.Infrastructure.DynamoDb;

/// <summary>Reads the invoice images of a stream record with the same mapping the store writes them with.</summary>
public static class StreamImages
{
    public static Invoice? ToInvoice(Dictionary<string, StreamValue>? image) =>
        image is { Count: > 0 } ? InvoiceItem.FromItem(ToTable(image)) : null;

    private static Dictionary<string, TableValue> ToTable(Dictionary<string, StreamValue> image) =>
        image.ToDictionary(pair => pair.Key, pair => ToTable(pair.Value), StringComparer.Ordinal);

    private static TableValue ToTable(StreamValue value)
    {
        var converted = new TableValue();
        if (value.S is not null)
        {
            converted.S = value.S;
        }
        else if (value.N is not null)
        {
            converted.N = value.N;
        }
        else if (value.B is not null)
        {
            converted.B = new MemoryStream(value.B);
        }
        else if (value.BOOL is { } flag)
        {
            converted.BOOL = flag;
        }
        else if (value.NULL is true)
        {
            converted.NULL = true;
        }
        else if (value.M is not null)
        {
            converted.M = ToTable(value.M);
        }
        else if (value.L is not null)
        {
            converted.L = value.L.Select(ToTable).ToList();
        }
        else if (value.SS is not null)
        {
            converted.SS = value.SS;
        }
        else if (value.NS is not null)
        {
            converted.NS = value.NS;
        }
        else if (value.BS is not null)
        {
            converted.BS = value.BS.Select(bytes => new MemoryStream(bytes)).ToList();
        }

        return converted;
    }
}
