using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using PayMyInvoice.Core.Idempotency;

namespace PayMyInvoice.Infrastructure.Idempotency;

/// <summary>
/// Idempotency records in their own table, with Powertools' attribute names: <c>id</c>, <c>status</c>
/// (INPROGRESS|COMPLETED), <c>expiration</c> (epoch s, the table's TTL), <c>in_progress_expiration</c> (epoch ms) and
/// <c>validation</c> (the payload hash). A claim's <c>in_progress_expiration</c> is the claiming invocation's deadline.
/// </summary>
public sealed class DynamoDbIdempotencyStore(IAmazonDynamoDB dynamo, string tableName, TimeProvider time) : IIdempotencyStore
{
    /// <summary>How long a completed record is kept: longer than any redelivery (SQS keeps messages up to 14 days).</summary>
    public static readonly TimeSpan KeepFor = TimeSpan.FromDays(15);

    public async Task<IdempotencyClaim> ClaimAsync(string key, string payloadHash, DateTimeOffset inProgressUntil, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = new Dictionary<string, AttributeValue>
                {
                    ["id"] = new() { S = key },
                    ["status"] = new() { S = "INPROGRESS" },
                    ["expiration"] = Number((now + KeepFor).ToUnixTimeSeconds()),
                    ["in_progress_expiration"] = Number(inProgressUntil.ToUnixTimeMilliseconds()),
                    ["validation"] = new() { S = payloadHash },
                },
                ConditionExpression = "attribute_not_exists(id) OR expiration < :now OR (#status = :inprogress AND in_progress_expiration < :nowms)",
                ExpressionAttributeNames = new() { ["#status"] = "status" },
                ExpressionAttributeValues = new()
                {
                    [":now"] = Number(now.ToUnixTimeSeconds()),
                    [":nowms"] = Number(now.ToUnixTimeMilliseconds()),
                    [":inprogress"] = new() { S = "INPROGRESS" },
                },
            }, cancellationToken).ConfigureAwait(false);
            return IdempotencyClaim.Claimed;
        }
        catch (ConditionalCheckFailedException)
        {
            var existing = (await dynamo.GetItemAsync(new GetItemRequest
            {
                TableName = tableName,
                Key = new() { ["id"] = new() { S = key } },
                ConsistentRead = true,
            }, cancellationToken).ConfigureAwait(false)).Item;
            if (existing is not { Count: > 0 })
            {
                return IdempotencyClaim.InProgress; // released between our write and read: the retry will claim it
            }

            if (existing.TryGetValue("validation", out var validation) && validation.S != payloadHash)
            {
                return IdempotencyClaim.PayloadMismatch;
            }

            return existing["status"].S == "COMPLETED" ? IdempotencyClaim.AlreadyCompleted : IdempotencyClaim.InProgress;
        }
    }

    public Task CompleteAsync(string key, CancellationToken cancellationToken) =>
        dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tableName,
            Key = new() { ["id"] = new() { S = key } },
            UpdateExpression = "SET #status = :completed, expiration = :expiration",
            ExpressionAttributeNames = new() { ["#status"] = "status" },
            ExpressionAttributeValues = new()
            {
                [":completed"] = new() { S = "COMPLETED" },
                [":expiration"] = Number((time.GetUtcNow() + KeepFor).ToUnixTimeSeconds()),
            },
        }, cancellationToken);

    public Task ReleaseAsync(string key, CancellationToken cancellationToken) =>
        dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = tableName, Key = new() { ["id"] = new() { S = key } } }, cancellationToken);

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };
}
