using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.DynamoDBEvents;
using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Local.EventSources;

/// <summary>
/// What Lambda's DynamoDB stream event source mapping does, locally: reads each shard in order, hands batches to the
/// function as a DynamoDB event, and checkpoints — after the batch on success, at the first reported SequenceNumber
/// on a partial failure, at the batch's start when the function fails outright. A record that keeps failing is
/// dropped after <c>maximumRetryAttempts</c> (Lambda would hand it to the on-failure destination).
/// </summary>
public sealed class StreamEventSource(LocalDeployment deployment, string functionName, StreamSource source, DynamoDbStreamsClient streams, string streamArn)
{
    private readonly Dictionary<string, (string Type, string? SequenceNumber)> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);

    public static async Task<StreamEventSource> CreateAsync(LocalDeployment deployment, string functionName, StreamSource source, DynamoDbStreamsClient streams, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(source);
        using var dynamo = Infrastructure.DynamoDb.DynamoDbClients.ForLocal(deployment.Endpoints.DynamoDb, deployment.Config.Region);
        var table = await dynamo.DescribeTableAsync(new DescribeTableRequest { TableName = deployment.TableName(source.TableLogicalId) }, cancellationToken).ConfigureAwait(false);
        return new StreamEventSource(deployment, functionName, source, streams, table.Table.LatestStreamArn
            ?? throw new InvalidOperationException($"{source.TableLogicalId} has no stream; serverless.yml must give it a StreamSpecification."));
    }

    /// <summary>Polls every shard until none has records left (or 100 polls); returns how many records the function accepted.</summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        for (var poll = 0; poll < 100; poll++)
        {
            var (accepted, pending) = await PollOnceAsync(cancellationToken).ConfigureAwait(false);
            total += accepted;
            if (accepted == 0 && !pending)
            {
                break;
            }
        }

        return total;
    }

    /// <summary>Runs until cancelled, polling the way the event source mapping does.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var (accepted, pending) = await PollOnceAsync(cancellationToken).ConfigureAwait(false);
            if (accepted == 0 && !pending)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One batch per shard. <c>pending</c>: some shard has records to retry.</summary>
    public async Task<(int Accepted, bool Pending)> PollOnceAsync(CancellationToken cancellationToken)
    {
        var accepted = 0;
        var pending = false;
        foreach (var shard in await streams.ShardIdsAsync(streamArn, cancellationToken).ConfigureAwait(false))
        {
            var (type, sequence) = _positions.GetValueOrDefault(shard, ("TRIM_HORIZON", null));
            var iterator = await streams.ShardIteratorAsync(streamArn, shard, type, sequence, cancellationToken).ConfigureAwait(false);
            if (iterator is null)
            {
                continue;
            }

            var (records, _) = await streams.RecordsAsync(iterator, source.BatchSize, cancellationToken).ConfigureAwait(false);
            if (records.Count == 0)
            {
                continue;
            }

            foreach (var record in records)
            {
                record.EventSourceArn = streamArn;
            }

            var failedAt = await DeliverAsync(records, cancellationToken).ConfigureAwait(false);
            var delivered = failedAt is null ? records.Count : records.FindIndex(r => r.Dynamodb!.SequenceNumber == failedAt);
            accepted += delivered;
            if (failedAt is null)
            {
                _positions[shard] = ("AFTER_SEQUENCE_NUMBER", records[^1].Dynamodb!.SequenceNumber);
                _failures.Remove(shard);
            }
            else if (source.MaximumRetryAttempts >= 0 && (_failures[shard] = _failures.GetValueOrDefault(shard) + 1) > source.MaximumRetryAttempts)
            {
                await GiveUpAsync(shard, failedAt, cancellationToken).ConfigureAwait(false);
                _positions[shard] = ("AFTER_SEQUENCE_NUMBER", failedAt);
                _failures.Remove(shard);
                pending = true; // the records after it are still to come
            }
            else
            {
                _positions[shard] = ("AT_SEQUENCE_NUMBER", failedAt);
                pending = true;
            }
        }

        return (accepted, pending);
    }

    /// <summary>
    /// Skips a record that exhausted its retries and, like Lambda's on-failure destination, sends a description of it
    /// (not the record itself) to the configured queue.
    /// </summary>
    private async Task GiveUpAsync(string shard, string sequenceNumber, CancellationToken cancellationToken)
    {
        await Console.Error.WriteLineAsync($"[{functionName}] giving up on stream record {sequenceNumber} after {source.MaximumRetryAttempts} retries").ConfigureAwait(false);
        if (source.OnFailureQueueLogicalId is not { } queue)
        {
            return;
        }

        var description = new System.Text.Json.Nodes.JsonObject
        {
            ["requestContext"] = new System.Text.Json.Nodes.JsonObject { ["condition"] = "RetryAttemptsExhausted", ["approximateInvokeCount"] = source.MaximumRetryAttempts + 1 },
            ["DDBStreamBatchInfo"] = new System.Text.Json.Nodes.JsonObject
            {
                ["shardId"] = shard,
                ["startSequenceNumber"] = sequenceNumber,
                ["endSequenceNumber"] = sequenceNumber,
                ["batchSize"] = 1,
                ["streamArn"] = streamArn,
            },
        };
        using var sqs = deployment.Sqs();
        await sqs.SendMessageAsync(await deployment.QueueUrlAsync(queue, cancellationToken).ConfigureAwait(false), description.ToJsonString(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Null when the whole batch succeeded; else the SequenceNumber to resume at.</summary>
    private async Task<string?> DeliverAsync(List<DynamoDBEvent.DynamodbStreamRecord> records, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new DynamoDBEvent { Records = records }, ContractsJsonContext.Wire.DynamoDBEvent);
        var outcome = await deployment.InvokeAsync(functionName, payload, cancellationToken).ConfigureAwait(false);
        if (outcome.Error is not null)
        {
            return records[0].Dynamodb!.SequenceNumber;
        }

        StreamsEventResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(outcome.Response, ContractsJsonContext.Wire.StreamsEventResponse);
        }
        catch (JsonException)
        {
            return records[0].Dynamodb!.SequenceNumber; // an unreadable response fails the whole batch, as in Lambda
        }

        var reported = response?.BatchItemFailures.Select(f => f.ItemIdentifier).ToList() ?? [];
        if (reported.Count == 0)
        {
            return null;
        }

        // Lambda resumes from the lowest reported record; an unknown or empty identifier fails the whole batch.
        var indexes = reported.Select(id => records.FindIndex(r => r.Dynamodb!.SequenceNumber == id)).ToList();
        return indexes.Any(i => i < 0) ? records[0].Dynamodb!.SequenceNumber : records[indexes.Min()].Dynamodb!.SequenceNumber;
    }
}
