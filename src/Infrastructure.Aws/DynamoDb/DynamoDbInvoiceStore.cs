using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.Requests;

namespace PayMyInvoice.Infrastructure.DynamoDb;

/// <summary>
/// Invoices in one table keyed userId (partition) + invoiceId (sort): a user's invoices are one partition, so
/// another user's id can never be read by mistake, and a query lists them in creation order. Requests made with an
/// Idempotency-Key are remembered in <paramref name="requestsTableName"/> (the idempotency table), each written in one
/// transaction with the invoice it wrote.
/// </summary>
public sealed class DynamoDbInvoiceStore(IAmazonDynamoDB dynamo, string tableName, string? requestsTableName = null) : IInvoiceStore
{
    // With a status filter DynamoDB drops non-matching items after reading a page; read generous pages.
    private const int FilteredPageSize = 100;

    public Task<bool> TryCreateAsync(Invoice invoice, CancellationToken cancellationToken) =>
        PutIfAsync(invoice, "attribute_not_exists(#key)", InvoiceItem.InvoiceId, null, cancellationToken);

    public async Task<Invoice?> GetAsync(string userId, string invoiceId, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = tableName,
            Key = InvoiceItem.Key(userId, invoiceId),
            ConsistentRead = true, // updates and deletes read the version they guard on
        }, cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? InvoiceItem.FromItem(item) : null;
    }

    public async Task<InvoicePage> ListAsync(InvoiceQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var found = new List<Invoice>(query.Limit);
        var startKey = query.AfterInvoiceId is { } after ? InvoiceItem.Key(query.UserId, after) : null;
        while (true)
        {
            var request = new QueryRequest
            {
                TableName = tableName,
                // Account fees share the partition under another prefix: invoices only.
                KeyConditionExpression = "#user = :user AND begins_with(#id, :invoices)",
                ExpressionAttributeNames = new() { ["#user"] = InvoiceItem.UserId, ["#id"] = InvoiceItem.InvoiceId },
                ExpressionAttributeValues = new() { [":user"] = new AttributeValue { S = query.UserId }, [":invoices"] = new AttributeValue { S = "inv_" } },
                ExclusiveStartKey = startKey,
                Limit = query.Status is null ? query.Limit - found.Count : FilteredPageSize,
            };
            if (query.Status is { } status)
            {
                request.FilterExpression = "#status = :status";
                request.ExpressionAttributeNames["#status"] = InvoiceItem.Status;
                request.ExpressionAttributeValues[":status"] = new AttributeValue { S = status.ToName() };
            }

            var response = await dynamo.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            var items = response.Items ?? [];
            var morePages = response.LastEvaluatedKey is { Count: > 0 };
            for (var i = 0; i < items.Count; i++)
            {
                found.Add(InvoiceItem.FromItem(items[i]));
                if (found.Count == query.Limit)
                {
                    var more = i < items.Count - 1 || morePages;
                    return new InvoicePage(found, more ? found[^1].InvoiceId : null);
                }
            }

            if (!morePages)
            {
                return new InvoicePage(found, null);
            }

            startKey = response.LastEvaluatedKey;
        }
    }

    public Task<bool> TryReplaceAsync(Invoice invoice, long expectedVersion, CancellationToken cancellationToken) =>
        PutIfAsync(invoice, "#key = :expected", InvoiceItem.Version, expectedVersion, cancellationToken);

    public IAsyncEnumerable<(string UserId, string InvoiceId)> ListOverdueAsync(DateOnly today, CancellationToken cancellationToken) =>
        QueryKeysAsync(new QueryRequest
        {
            TableName = tableName,
            IndexName = InvoiceItem.OverdueIndex,
            KeyConditionExpression = "#unpaid = :unpaid AND #due < :today",
            ExpressionAttributeNames = new() { ["#unpaid"] = InvoiceItem.UnpaidShard, ["#due"] = "dueDate" },
            ExpressionAttributeValues = new()
            {
                [":unpaid"] = new AttributeValue { S = InvoiceItem.UnpaidShardValue },
                [":today"] = new AttributeValue { S = today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) },
            },
        }, cancellationToken);

    public IAsyncEnumerable<(string UserId, string InvoiceId)> ListPendingAsync(InvoiceStatus status, DateTimeOffset before, CancellationToken cancellationToken) =>
        QueryKeysAsync(new QueryRequest
        {
            TableName = tableName,
            IndexName = InvoiceItem.PendingIndex,
            KeyConditionExpression = "#pending = :status AND #since < :before",
            ExpressionAttributeNames = new() { ["#pending"] = InvoiceItem.Pending, ["#since"] = InvoiceItem.PendingSince },
            ExpressionAttributeValues = new()
            {
                [":status"] = new AttributeValue { S = status.ToName() },
                [":before"] = new AttributeValue { S = InvoiceItem.Timestamp(before) },
            },
        }, cancellationToken);

    /// <summary>Every (user, invoice) key a query of a keys-only index answers, page by page, in the index's order.</summary>
    private async IAsyncEnumerable<(string UserId, string InvoiceId)> QueryKeysAsync(QueryRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        do
        {
            var response = await dynamo.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var item in response.Items ?? [])
            {
                yield return (item[InvoiceItem.UserId].S, item[InvoiceItem.InvoiceId].S);
            }

            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (request.ExclusiveStartKey is not null);
    }

    public async Task<Invoice?> FindByPayLinkAsync(string tokenHash, CancellationToken cancellationToken)
    {
        // One query whether or not the token is known, so a guess costs and looks the same as a real link.
        var response = await dynamo.QueryAsync(new QueryRequest
        {
            TableName = tableName,
            IndexName = InvoiceItem.PayLinkIndex,
            KeyConditionExpression = "#hash = :hash",
            ExpressionAttributeNames = new() { ["#hash"] = InvoiceItem.PayLinkHash },
            ExpressionAttributeValues = new() { [":hash"] = new AttributeValue { S = tokenHash } },
            Limit = 1,
        }, cancellationToken).ConfigureAwait(false);
        return response.Items is [{ } item, ..] ? InvoiceItem.FromItem(item) : null;
    }

    public async Task<bool> TryDeleteAsync(string userId, string invoiceId, long expectedVersion, CancellationToken cancellationToken) =>
        await ConditionallyAsync(() => dynamo.DeleteItemAsync(new DeleteItemRequest
        {
            TableName = tableName,
            Key = InvoiceItem.Key(userId, invoiceId),
            ConditionExpression = "#version = :expected",
            ExpressionAttributeNames = new() { ["#version"] = InvoiceItem.Version },
            ExpressionAttributeValues = new() { [":expected"] = InvoiceItem.Number(expectedVersion) },
        }, cancellationToken)).ConfigureAwait(false);

    public Task<StoreWrite> TryCreateAsync(Invoice invoice, RememberedRequest request, CancellationToken cancellationToken) =>
        PutRememberingAsync(invoice, "attribute_not_exists(#key)", InvoiceItem.InvoiceId, null, request, cancellationToken);

    public Task<StoreWrite> TryReplaceAsync(Invoice invoice, long expectedVersion, RememberedRequest request, CancellationToken cancellationToken) =>
        PutRememberingAsync(invoice, "#key = :expected", InvoiceItem.Version, expectedVersion, request, cancellationToken);

    public async Task<RememberedRequest?> FindRequestAsync(string userId, string keyHash, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = RequestsTable,
            Key = RequestItem.Key(userId, keyHash),
            ConsistentRead = true, // a request that just won must be seen by its retry
        }, cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item && RequestItem.FromItem(item) is var request && !request.IsExpiredAt(DateTimeOffset.UtcNow)
            ? request
            : null; // the TTL deletes lazily (within days): an expired record is forgotten already
    }

    private string RequestsTable => requestsTableName ?? throw new InvalidOperationException("This function has no idempotency table (IDEMPOTENCY_TABLE), so it cannot remember requests.");

    /// <summary>
    /// The invoice put (on its condition) and the request record put (new, or replacing an expired one) in one
    /// transaction. When it is cancelled the reasons say which condition failed: the record's wins, because then the
    /// key's first answer is the answer. (Put needs only dynamodb:PutItem on each table, no ConditionCheckItem.)
    /// </summary>
    private async Task<StoreWrite> PutRememberingAsync(Invoice invoice, string condition, string keyAttribute, long? expectedVersion, RememberedRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        ArgumentNullException.ThrowIfNull(request);
        var invoicePut = ConditionalPut(invoice, condition, keyAttribute, expectedVersion);
        var requestPut = new Put
        {
            TableName = RequestsTable,
            Item = RequestItem.ToItem(request),
            ConditionExpression = "attribute_not_exists(#id) OR #expiration <= :now",
            ExpressionAttributeNames = new() { ["#id"] = RequestItem.Id, ["#expiration"] = RequestItem.Expiration },
            ExpressionAttributeValues = new() { [":now"] = InvoiceItem.Number(request.CreatedAt.ToUnixTimeSeconds()) },
        };
        try
        {
            await dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest
            {
                TransactItems = [new TransactWriteItem { Put = invoicePut }, new TransactWriteItem { Put = requestPut }],
            }, cancellationToken).ConfigureAwait(false);
            return StoreWrite.Written;
        }
        catch (TransactionCanceledException cancelled)
        {
            var reasons = cancelled.CancellationReasons ?? [];
            // A transaction conflict on the record is a request with the same key being written at this moment.
            return reasons.Count > 1 && reasons[1].Code is "ConditionalCheckFailed" or "TransactionConflict" ? StoreWrite.KeyTaken : StoreWrite.InvoiceChanged;
        }
    }

    private async Task<bool> PutIfAsync(Invoice invoice, string condition, string keyAttribute, long? expectedVersion, CancellationToken cancellationToken)
    {
        var put = ConditionalPut(invoice, condition, keyAttribute, expectedVersion);
        var request = new PutItemRequest
        {
            TableName = put.TableName,
            Item = put.Item,
            ConditionExpression = put.ConditionExpression,
            ExpressionAttributeNames = put.ExpressionAttributeNames,
            ExpressionAttributeValues = put.ExpressionAttributeValues,
        };
        return await ConditionallyAsync(() => dynamo.PutItemAsync(request, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The invoice's put with its condition (<c>#key</c> names the attribute, <c>:expected</c> the version), alone or in a transaction.</summary>
    private Put ConditionalPut(Invoice invoice, string condition, string keyAttribute, long? expectedVersion)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var put = new Put
        {
            TableName = tableName,
            Item = InvoiceItem.ToItem(invoice),
            ConditionExpression = condition,
            ExpressionAttributeNames = new() { ["#key"] = keyAttribute },
        };
        if (expectedVersion is { } version)
        {
            put.ExpressionAttributeValues = new() { [":expected"] = InvoiceItem.Number(version) };
        }

        return put;
    }

    private static async Task<bool> ConditionallyAsync(Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }
}
