using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using PayMyInvoice.Local;
using PayMyInvoice.Local.EventSources;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>
/// Every item change in a stage's tables since the last look, read from the tables' DynamoDB streams. A look costs
/// the new records only; hashing full scans, as before, grew with the tables (at 2,000 invoices one Scan took 0.2 s,
/// and a full hostile run twice that per case). A table serverless.yml gives no stream gets one on the test stage.
/// Like a snapshot, a stream does not see a write that changed nothing.
/// </summary>
internal sealed class TableChanges : IDisposable
{
    private readonly DynamoDbStreamsClient _streams;
    private readonly List<(string Table, string StreamArn)> _watched;
    private readonly Dictionary<string, string> _lastSequence = new(StringComparer.Ordinal); // by stream ARN + shard id

    private TableChanges(DynamoDbStreamsClient streams, List<(string, string)> watched)
    {
        _streams = streams;
        _watched = watched;
    }

    /// <summary>Watches <paramref name="tables"/> from now on: what was written before is taken and dropped.</summary>
    public static async Task<TableChanges> WatchAsync(LocalDeployment deployment, IAmazonDynamoDB dynamo, IEnumerable<string> tables)
    {
        var watched = new List<(string, string)>();
        foreach (var table in tables)
        {
            var description = (await dynamo.DescribeTableAsync(table)).Table;
            if (description.StreamSpecification?.StreamEnabled != true)
            {
                await dynamo.UpdateTableAsync(new UpdateTableRequest
                {
                    TableName = table,
                    StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.KEYS_ONLY },
                });
                description = (await dynamo.DescribeTableAsync(table)).Table;
            }

            watched.Add((table, description.LatestStreamArn ?? throw new InvalidOperationException($"{table} has no stream after enabling one")));
        }

        var changes = new TableChanges(new DynamoDbStreamsClient(deployment.Endpoints.DynamoDb, deployment.Config.Region), watched);
        await changes.TakeAsync();
        return changes;
    }

    /// <summary>The changes since the last look, one line each: table, INSERT/MODIFY/REMOVE and the item's key.</summary>
    public async Task<List<string>> TakeAsync()
    {
        var changes = new List<string>();
        foreach (var (table, streamArn) in _watched)
        {
            foreach (var shard in await _streams.ShardIdsAsync(streamArn, CancellationToken.None))
            {
                var position = streamArn + "/" + shard;
                var last = _lastSequence.GetValueOrDefault(position);
                var iterator = await _streams.ShardIteratorAsync(streamArn, shard, last is null ? "TRIM_HORIZON" : "AFTER_SEQUENCE_NUMBER", last, CancellationToken.None);
                while (iterator is not null)
                {
                    var (records, next) = await _streams.RecordsAsync(iterator, 1_000, CancellationToken.None);
                    if (records.Count == 0)
                    {
                        break;
                    }

                    changes.AddRange(records.Select(r => $"{table}: {r.EventName} {string.Join(",", (r.Dynamodb?.Keys ?? []).Select(k => k.Key + "=" + (k.Value.S ?? k.Value.N)))}"));
                    _lastSequence[position] = records[^1].Dynamodb!.SequenceNumber!;
                    iterator = next;
                }
            }
        }

        return changes;
    }

    public void Dispose() => _streams.Dispose();
}
