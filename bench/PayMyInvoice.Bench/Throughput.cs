using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS.Model;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.DynamoDBEvents;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Local;
using PayMyInvoice.Local.EventSources;

namespace PayMyInvoice.Bench;

/// <summary>Items (messages or stream records) per second through one warm environment at one batch size.</summary>
public sealed record ThroughputResult(string Function, string Build, int BatchSize, int Items, int Invocations, double Seconds, double ItemsPerSecond, double BatchP50Ms, int FailedItems);

/// <summary>
/// The pipeline's own traffic, end to end on a fresh stage: invoices created and paid through the API functions
/// (in-process; they are not what is measured), then their real stream records through <c>invoiceStream</c>, whose
/// SNS publishes land in the billing and notification queues, whose real messages go through <c>billingWorker</c>
/// (a charge on the emulator and a DynamoDB write each) and <c>notifications</c> (an email to maildev each). Each
/// batch size gets its own slice of the items, so nothing is processed twice; one environment per function, warmed
/// by one item first, takes the batches one after another, as one Lambda environment would.
/// </summary>
public sealed class Throughput(LocalDeployment deployment, BenchEvents events, Func<string, BenchSubject> subjectFor, Action<string> progress)
{
    public static readonly int[] BatchSizes = [1, 10, 100];

    /// <summary>Items per batch size: (1, 10, 100) batches get these many items each.</summary>
    public static int[] ItemsPerSize(bool quick) => quick ? [10, 30, 100] : [100, 300, 600];

    public async Task<IReadOnlyList<ThroughputResult>> RunAsync(bool quick)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var sizes = ItemsPerSize(quick);
        var invoices = sizes.Sum() + 1; // one more to warm each environment
        await CreateAndPayAsync(invoices).ConfigureAwait(false);
        progress($"throughput: {invoices} invoices created and paid");

        var results = new List<ThroughputResult>();
        var records = await StreamRecordsAsync().ConfigureAwait(false);
        
        // Every record goes through, the unmeasured rest too: the queues must hear of every invoice.
        results.AddRange(await MeasureAsync("invoiceStream", records, sizes, batch => Serialize(new DynamoDBEvent { Records = batch }, ContractsJsonContext.Wire.DynamoDBEvent), processRest: true).ConfigureAwait(false));

        foreach (var (function, queue) in new[] { ("billingWorker", "BillingQueue"), ("notifications", "NotificationsQueue") })
        {
            var messages = await ReceiveAllAsync(queue, invoices).ConfigureAwait(false);
            results.AddRange(await MeasureAsync(function, messages, sizes, batch => Serialize(new SQSEvent { Records = batch }, ContractsJsonContext.Wire.SQSEvent)).ConfigureAwait(false));
        }

        return results;
    }

    private static byte[] Serialize<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    private async Task<IReadOnlyList<ThroughputResult>> MeasureAsync<T>(string function, IReadOnlyList<T> items, int[] sizes, Func<List<T>, byte[]> toEvent, bool processRest = false)
    {
        var needed = sizes.Sum() + 1;
        if (items.Count < needed)
        {
            throw new InvalidOperationException($"{function}: {items.Count} items arrived, {needed} needed; the pipeline lost some.");
        }

        var subject = subjectFor(function);
        await using var process = await FunctionProcess.StartAsync(subject.Function, subject.Command, subject.Variables).ConfigureAwait(false);
        var warm = await process.InvokeAsync(toEvent([items[0]]), subject.Timeout).ConfigureAwait(false);
        if (warm.IsError)
        {
            throw new InvalidOperationException($"{function}: the first batch failed: {warm.Text}\n{process.LastOutput}");
        }

        var results = new List<ThroughputResult>();
        var next = 1;
        for (var i = 0; i < BatchSizes.Length; i++)
        {
            var size = BatchSizes[i];
            var slice = items.Skip(next).Take(sizes[i]).ToList();
            next += sizes[i];
            var durations = new List<double>();
            var failed = 0;
            var clock = Stopwatch.StartNew();
            foreach (var batch in slice.Chunk(size))
            {
                var result = await process.InvokeAsync(toEvent([.. batch]), subject.Timeout).ConfigureAwait(false);
                durations.Add(result.Duration.TotalMilliseconds);
                failed += result.IsError ? batch.Length : FailedItems(result.Body);
            }

            clock.Stop();
            results.Add(new ThroughputResult(function, subject.Build, size, slice.Count, durations.Count, clock.Elapsed.TotalSeconds,
                slice.Count / clock.Elapsed.TotalSeconds, Stats.Percentile(durations, 50), failed));
            progress($"throughput: {function} batch {size}: {slice.Count / clock.Elapsed.TotalSeconds:0.0}/s");
        }

        foreach (var batch in processRest ? items.Skip(next).Chunk(100) : [])
        {
            var result = await process.InvokeAsync(toEvent([.. batch]), subject.Timeout).ConfigureAwait(false);
            if (result.IsError || FailedItems(result.Body) > 0)
            {
                throw new InvalidOperationException($"{function}: a batch failed: {result.Text}\n{process.LastOutput}");
            }
        }

        return results;
    }

    private static int FailedItems(byte[] response)
    {
        using var json = JsonDocument.Parse(response);
        return json.RootElement.TryGetProperty("batchItemFailures", out var failures) ? failures.GetArrayLength() : 0;
    }

    private async Task CreateAndPayAsync(int count)
    {
        var create = JsonNode.Parse(events.For("createInvoice"))!;
        var pay = JsonNode.Parse(events.For("payInvoice"))!;
        for (var i = 0; i < count; i++)
        {
            NewRequest(create);
            var created = await InvokeInProcessAsync("createInvoice", create).ConfigureAwait(false);
            var id = JsonNode.Parse(created["body"]!.GetValue<string>())!["invoiceId"]!.GetValue<string>();
            pay["pathParameters"]!["id"] = id;
            pay["path"] = $"/invoices/{id}/pay";
            NewRequest(pay);
            var paid = await InvokeInProcessAsync("payInvoice", pay).ConfigureAwait(false);
            if (paid["statusCode"]!.GetValue<int>() != 202)
            {
                throw new InvalidOperationException($"payInvoice answered {paid.ToJsonString()}");
            }
        }
    }

    /// <summary>A new request id, and a new Idempotency-Key if the recorded request carries one: a new request, not a retry.</summary>
    private static void NewRequest(JsonNode request)
    {
        request["requestContext"]!["requestId"] = Guid.NewGuid().ToString();
        var key = Guid.NewGuid().ToString();
        foreach (var name in new[] { "Idempotency-Key", "idempotency-key" })
        {
            if (request["headers"]?[name] is not null)
            {
                request["headers"]![name] = key;
            }

            if (request["multiValueHeaders"]?[name] is not null)
            {
                request["multiValueHeaders"]![name] = new JsonArray(key);
            }
        }
    }

    private async Task<JsonNode> InvokeInProcessAsync(string function, JsonNode request)
    {
        var outcome = await deployment.InvokeAsync(function, JsonSerializer.SerializeToUtf8Bytes(request), CancellationToken.None).ConfigureAwait(false);
        return outcome.Error is null ? JsonNode.Parse(outcome.Response)! : throw new InvalidOperationException($"{function} failed", outcome.Error);
    }

    /// <summary>Every record on the invoices table's stream, oldest first, as the event source mapping reads them.</summary>
    private async Task<List<DynamoDBEvent.DynamodbStreamRecord>> StreamRecordsAsync()
    {
        using var dynamo = DynamoDbClients.ForLocal(deployment.Endpoints.DynamoDb, deployment.Config.Region);
        var table = await dynamo.DescribeTableAsync(new DescribeTableRequest { TableName = deployment.TableName("InvoicesTable") }).ConfigureAwait(false);
        var streamArn = table.Table.LatestStreamArn;
        using var streams = new DynamoDbStreamsClient(deployment.Endpoints.DynamoDb, deployment.Config.Region);
        var all = new List<DynamoDBEvent.DynamodbStreamRecord>();
        foreach (var shard in await streams.ShardIdsAsync(streamArn, CancellationToken.None).ConfigureAwait(false))
        {
            var iterator = await streams.ShardIteratorAsync(streamArn, shard, "TRIM_HORIZON", null, CancellationToken.None).ConfigureAwait(false);
            while (iterator is not null)
            {
                var (records, next) = await streams.RecordsAsync(iterator, 1000, CancellationToken.None).ConfigureAwait(false);
                if (records.Count == 0)
                {
                    break;
                }

                records.ForEach(r => r.EventSourceArn = streamArn);
                all.AddRange(records);
                iterator = next;
            }
        }

        return all;
    }

    /// <summary>Receives every message the queue holds, up to <paramref name="expected"/>, waiting for the SNS fan-out to land.</summary>
    private async Task<List<SQSEvent.SQSMessage>> ReceiveAllAsync(string queueLogicalId, int expected)
    {
        using var sqs = deployment.Sqs();
        var url = await deployment.QueueUrlAsync(queueLogicalId).ConfigureAwait(false);
        var arn = deployment.Arn(new Dictionary<string, object?> { ["Ref"] = queueLogicalId });
        var all = new List<SQSEvent.SQSMessage>();
        var idle = 0;
        while (all.Count < expected && idle < 20)
        {
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = url,
                MaxNumberOfMessages = 10,
                WaitTimeSeconds = 0,
                VisibilityTimeout = 3600, // received once: the benchmark, not a poller, hands them out
                MessageSystemAttributeNames = ["All"],
                MessageAttributeNames = ["All"],
            }).ConfigureAwait(false);
            var messages = response.Messages ?? [];
            idle = messages.Count == 0 ? idle + 1 : 0;
            if (messages.Count == 0)
            {
                await Task.Delay(250).ConfigureAwait(false);
            }

            all.AddRange(messages.Select(m => QueueEventSource.ToRecord(m, arn, deployment.Config.Region)));
        }

        return all;
    }
}
