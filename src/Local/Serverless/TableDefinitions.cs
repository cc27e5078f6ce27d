using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace PayMyInvoice.Local.Serverless;

/// <summary>Creates the AWS::DynamoDB::Table resources of serverless.yml in a (local) DynamoDB.</summary>
public static class TableDefinitions
{
    public static CreateTableRequest ToCreateTableRequest(Dictionary<string, object?> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var request = new CreateTableRequest
        {
            TableName = (string)properties["TableName"]!,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = Maps(properties, "AttributeDefinitions")
                .Select(a => new AttributeDefinition((string)a["AttributeName"]!, new ScalarAttributeType((string)a["AttributeType"]!)))
                .ToList(),
            KeySchema = KeySchema(properties),
        };
        if (properties.GetValueOrDefault("StreamSpecification") is Dictionary<string, object?> stream)
        {
            request.StreamSpecification = new StreamSpecification
            {
                StreamEnabled = true,
                StreamViewType = new StreamViewType((string)stream["StreamViewType"]!),
            };
        }

        var indexes = Maps(properties, "GlobalSecondaryIndexes").Select(index => new GlobalSecondaryIndex
        {
            IndexName = (string)index["IndexName"]!,
            KeySchema = KeySchema(index),
            Projection = ToProjection(index),
        }).ToList();
        if (indexes.Count > 0)
        {
            request.GlobalSecondaryIndexes = indexes;
        }

        return request;
    }

    /// <summary>Creates every table the file declares that does not exist yet; returns the ones it created.</summary>
    public static async Task<IReadOnlyList<(string LogicalId, string TableName)>> EnsureAsync(IAmazonDynamoDB dynamo, ServerlessConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dynamo);
        ArgumentNullException.ThrowIfNull(config);
        var created = new List<(string, string)>();
        foreach (var (logicalId, properties) in config.ResourcesOfType("AWS::DynamoDB::Table"))
        {
            var request = ToCreateTableRequest(properties);
            try
            {
                await dynamo.CreateTableAsync(request, cancellationToken).ConfigureAwait(false);
                created.Add((logicalId, request.TableName));
            }
            catch (ResourceInUseException)
            {
                // Already there: the local stack may be shared between invocations.
            }
        }

        return created;
    }

    private static List<KeySchemaElement> KeySchema(Dictionary<string, object?> owner) =>
        Maps(owner, "KeySchema").Select(k => new KeySchemaElement((string)k["AttributeName"]!, new KeyType((string)k["KeyType"]!))).ToList();

    private static Projection ToProjection(Dictionary<string, object?> index)
    {
        var projection = index.GetValueOrDefault("Projection") as Dictionary<string, object?>;
        var result = new Projection { ProjectionType = new ProjectionType(projection?.GetValueOrDefault("ProjectionType") as string ?? "ALL") };
        if (projection?.GetValueOrDefault("NonKeyAttributes") is List<object?> attributes)
        {
            result.NonKeyAttributes = attributes.Cast<string>().ToList();
        }

        return result;
    }

    private static IEnumerable<Dictionary<string, object?>> Maps(Dictionary<string, object?> owner, string key) =>
        (owner.GetValueOrDefault(key) as List<object?> ?? []).Cast<Dictionary<string, object?>>();
}
