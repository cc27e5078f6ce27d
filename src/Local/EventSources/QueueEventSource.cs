using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Local.EventSources;

/// <summary>
/// What Lambda's SQS event source mapping does, locally: receives batches, hands them to the function as the SQS
/// event AWS sends, deletes what succeeded and leaves the failures on the queue, invisible until the queue's
/// VisibilityTimeout (from serverless.yml, times <see cref="LocalDeployment.TimeScale"/>) has passed since their receive,
/// as in AWS; fauxqs's redrive policy moves a message to the dead-letter queue on the receive after maxReceiveCount.
/// fauxqs counts visibility in whole seconds, so the queue is provisioned rounded up (a backstop) and this source makes
/// each failed message visible again itself, at its exact scaled time.
/// </summary>
public sealed class QueueEventSource(LocalDeployment deployment, string functionName, QueueSource source, AmazonSQSClient sqs, string queueUrl)
{
    private readonly List<(string ReceiptHandle, DateTimeOffset VisibleAt)> _inFlight = [];

    /// <summary>The queue this source reads, for a caller that delivers its messages another way (a function process).</summary>
    public string QueueUrl { get; } = queueUrl;

    /// <summary>The queue's ARN, as the records' <c>eventSourceARN</c> names it (see <see cref="ToRecord"/>).</summary>
    public string QueueArn { get; } = deployment.Arn(new Dictionary<string, object?> { ["Ref"] = source.QueueLogicalId });

    public static async Task<QueueEventSource> CreateAsync(LocalDeployment deployment, string functionName, QueueSource source, AmazonSQSClient sqs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(source);
        return new QueueEventSource(deployment, functionName, source, sqs, await deployment.QueueUrlAsync(source.QueueLogicalId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The queue's visibility timeout as this source applies it (scaled).</summary>
    public TimeSpan VisibilityTimeout { get; } = deployment.VisibilityTimeout(source.QueueLogicalId);

    /// <summary>Failed messages waiting out their visibility timeout.</summary>
    public int InFlight
    {
        get
        {
            lock (_inFlight)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>
    /// Polls until the queue is empty and no failed message is still waiting out its visibility timeout (or 100 polls);
    /// returns how many messages the function accepted. Each retry costs the (scaled) visibility timeout, as in AWS.
    /// </summary>
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
            var (received, _) = await PollOnceAsync(waitForInFlight: false, cancellationToken).ConfigureAwait(false);
            if (received == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(VisibilityTimeout.TotalMilliseconds / 4, 10, 250)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// One receive and delivery. When nothing is visible but failed messages are still waiting out their visibility
    /// timeout, it waits for the first of them to come back (as a long poll would), so step-by-step tests see retries.
    /// </summary>
    public Task<(int Received, int Accepted)> PollOnceAsync(CancellationToken cancellationToken) => PollOnceAsync(waitForInFlight: true, cancellationToken);

    /// <param name="waitForInFlight">Wait for failed messages to come back when nothing is visible; without it an empty
    /// queue answers (0, 0) at once, as a short poll does.</param>
    public async Task<(int Received, int Accepted)> PollOnceAsync(bool waitForInFlight, CancellationToken cancellationToken)
    {
        while (true)
        {
            await ReleaseDueAsync(cancellationToken).ConfigureAwait(false);
            var outcome = await ReceiveAndDeliverAsync(cancellationToken).ConfigureAwait(false);
            if (outcome.Received > 0 || !waitForInFlight || NextVisibleAt() is not { } next)
            {
                return outcome;
            }

            var wait = next - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<(int Received, int Accepted)> ReceiveAndDeliverAsync(CancellationToken cancellationToken)
    {
        var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = QueueUrl,
            MaxNumberOfMessages = Math.Min(source.BatchSize, 10),
            WaitTimeSeconds = 0,
            MessageSystemAttributeNames = ["All"],
            MessageAttributeNames = ["All"],
        }, cancellationToken).ConfigureAwait(false);
        var receivedAt = DateTimeOffset.UtcNow;
        var messages = response.Messages ?? [];
        if (messages.Count == 0)
        {
            return (0, 0);
        }

        var records = messages.Select(m => ToRecord(m, QueueArn, deployment.Config.Region)).ToList();
        var failed = await DeliverAsync(records, cancellationToken).ConfigureAwait(false);
        foreach (var message in messages)
        {
            if (failed.Contains(message.MessageId))
            {
                // Left alone: invisible until the visibility timeout, counted from the receive, has passed.
                lock (_inFlight)
                {
                    _inFlight.Add((message.ReceiptHandle, receivedAt + VisibilityTimeout));
                }
            }
            else
            {
                await sqs.DeleteMessageAsync(QueueUrl, message.ReceiptHandle, cancellationToken).ConfigureAwait(false);
            }
        }

        await ReleaseDueAsync(cancellationToken).ConfigureAwait(false); // a delivery that outlasted the timeout
        return (messages.Count, messages.Count - failed.Count);
    }

    private DateTimeOffset? NextVisibleAt()
    {
        lock (_inFlight)
        {
            return _inFlight.Count == 0 ? null : _inFlight.Min(m => m.VisibleAt);
        }
    }

    /// <summary>Makes visible again every failed message whose visibility timeout has passed.</summary>
    private async Task ReleaseDueAsync(CancellationToken cancellationToken)
    {
        List<string> due;
        lock (_inFlight)
        {
            var now = DateTimeOffset.UtcNow;
            due = _inFlight.Where(m => m.VisibleAt <= now).Select(m => m.ReceiptHandle).ToList();
            _inFlight.RemoveAll(m => m.VisibleAt <= now);
        }

        foreach (var receiptHandle in due)
        {
            try
            {
                await sqs.ChangeMessageVisibilityAsync(QueueUrl, receiptHandle, 0, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonSQSException)
            {
                // fauxqs's own (rounded-up) expiry came first and the message was received again: nothing to release.
            }
        }
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
