using System.Globalization;
using Amazon.DynamoDBv2.Model;
using PayMyInvoice.Core.Requests;

namespace PayMyInvoice.Infrastructure.DynamoDb;

/// <summary>
/// A remembered request as an item of the idempotency table: id <c>request#&lt;userId&gt;#&lt;sha256 of the key&gt;</c>
/// (the workers' Powertools records use other ids), and <c>expiration</c> in epoch seconds, the table's TTL.
/// </summary>
internal static class RequestItem
{
    public const string Id = "id";
    public const string Expiration = "expiration";

    public static string IdOf(string userId, string keyHash) => $"request#{userId}#{keyHash}";

    public static Dictionary<string, AttributeValue> Key(string userId, string keyHash) => new() { [Id] = new AttributeValue { S = IdOf(userId, keyHash) } };

    public static Dictionary<string, AttributeValue> ToItem(RememberedRequest request)
    {
        var item = Key(request.UserId, request.KeyHash);
        item["userId"] = new AttributeValue { S = request.UserId };
        item["keyHash"] = new AttributeValue { S = request.KeyHash };
        item["requestHash"] = new AttributeValue { S = request.RequestHash };
        item["statusCode"] = InvoiceItem.Number(request.Response.StatusCode);
        item["body"] = new AttributeValue { S = request.Response.Body };
        if (request.Response.Location is { } location)
        {
            item["location"] = new AttributeValue { S = location };
        }

        item["createdAt"] = new AttributeValue { S = request.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) };
        item[Expiration] = InvoiceItem.Number(request.ExpiresAt.ToUnixTimeSeconds());
        return item;
    }

    public static RememberedRequest FromItem(Dictionary<string, AttributeValue> item) => new(
        item["userId"].S,
        item["keyHash"].S,
        item["requestHash"].S,
        new RememberedResponse(int.Parse(item["statusCode"].N, CultureInfo.InvariantCulture), item["body"].S, item.TryGetValue("location", out var location) ? location.S : null),
        DateTimeOffset.Parse(item["createdAt"].S, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        DateTimeOffset.FromUnixTimeSeconds(long.Parse(item[Expiration].N, CultureInfo.InvariantCulture)));
}
