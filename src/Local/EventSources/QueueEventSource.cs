using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Local.EventSources;

/// <summary>
/// What Lambda's SQS event source mapping does, locally: receives batches, hands them to the function as the SQS
/// event AWS sends, deletes what succeeded and leaves the failures on the queue — where fauxqs's redrive policy moves
/// them to the dead-letter queue after maxReceiveCount receives. One local liberty: a failed message is made visible
/// again at once instead of after the visibility timeout, so retries happen in seconds.
/// </summary>
public sealed class QueueEventSource(LocalDeployment deployment, string functionName, QueueSource source, AmazonSQSClient sqs, string queueUrl)
{
    private readonly string _queueUrl = queueUrl;
    private readonly string _queueArn = deployment.Arn(new Dictionary<string, object?> { ["Ref"] = source.QueueLogicalId });

    public static async Task<QueueEventSource> CreateAsync(LocalDeployment deployment, string functionName, QueueSource source, AmazonSQSClient sqs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(source);
        return new QueueEventSource(deployment, functionName, source, sqs, await deployment.QueueUrlAsync(source.QueueLogicalId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Polls until the queue is empty (or 100 polls); returns how many messages the function accepted.</summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        for (var poll = 0; poll < 100; poll++)
        {
            var (received, accepted) = await PollOnceAsync(cancellationToken).ConfigureAwait(false);
            total += accepted;
            if (received == 0)
            {
                break;
            }
        }

        return total;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var (received, _) = await PollOnceAsync(cancellationToken).ConfigureAwait(false);
            if (received == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<(int Received, int Accepted)> PollOnceAsync(CancellationToken cancellationToken)
    {
        var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = _queueUrl,
            MaxNumberOfMessages = Math.Min(source.BatchSize, 10),
            WaitTimeSeconds = 0,
            MessageSystemAttributeNames = ["All"],
            MessageAttributeNames = ["All"],
        }, cancellationToken).ConfigureAwait(false);
        var messages = response.Messages ?? [];
        if (messages.Count == 0)
        {
            return (0, 0);
        }

        var records = messages.Select(m => ToRecord(m, _queueArn, deployment.Config.Region)).ToList();
        var failed = await DeliverAsync(records, cancellationToken).ConfigureAwait(false);
        foreach (var message in messages)
        {
            if (failed.Contains(message.MessageId))
            {
                await sqs.ChangeMessageVisibilityAsync(_queueUrl, message.ReceiptHandle, 0, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await sqs.DeleteMessageAsync(_queueUrl, message.ReceiptHandle, cancellationToken).ConfigureAwait(false);
            }
        }

        return (messages.Count, messages.Count - failed.Count);
    }

    /// <summary>The ids that failed: all of them when the function errs or answers with an id it was not given.</summary>
    private async Task<HashSet<string>> DeliverAsync(List<SQSEvent.SQSMessage> records, CancellationToken cancellationToken)
    {
        var all = records.Select(r => r.MessageId!).ToHashSet(StringComparer.Ordinal);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new SQSEvent { Records = records }, ContractsJsonContext.Wire.SQSEvent);
        var outcome = await deployment.InvokeAsync(functionName, payload, cancellationToken).ConfigureAwait(false);
        if (outcome.Error is not null)
        {
            return all;
        }

        try
        {
            var reported = JsonSerializer.Deserialize(outcome.Response, ContractsJsonContext.Wire.SQSBatchResponse)?.BatchItemFailures.Select(f => f.ItemIdentifier).ToList() ?? [];
            return reported.All(id => id is not null && all.Contains(id)) ? reported.ToHashSet(StringComparer.Ordinal)! : all;
        }
        catch (JsonException)
        {
            return all;
        }
    }

    /// <summary>A received message as the SQS event hands it to the function.</summary>
    public static SQSEvent.SQSMessage ToRecord(Message message, string queueArn, string region) => new()
    {
        MessageId = message.MessageId,
        ReceiptHandle = message.ReceiptHandle,
        Body = message.Body,
        Md5OfBody = message.MD5OfBody,
        Md5OfMessageAttributes = message.MD5OfMessageAttributes,
        EventSource = "aws:sqs",
        EventSourceArn = queueArn,
        AwsRegion = region,
        Attributes = message.Attributes ?? [],
        MessageAttributes = (message.MessageAttributes ?? []).ToDictionary(a => a.Key, a => new SQSEvent.MessageAttribute
        {
            DataType = a.Value.DataType,
            StringValue = a.Value.StringValue,
            BinaryValue = a.Value.BinaryValue?.ToArray(),
            StringListValues = a.Value.StringListValues ?? [],
            BinaryListValues = a.Value.BinaryListValues?.Select(b => b.ToArray()).ToList() ?? [],
        }),
    };
}
