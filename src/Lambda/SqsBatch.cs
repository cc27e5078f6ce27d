using PayMyInvoice.Contracts.SQSEvents;

namespace PayMyInvoice.Lambda;

/// <summary>
/// Partial batch failures for SQS, the Powertools way: every record starts failed and only success removes it, so a
/// message is never lost. On a FIFO queue processing stops at the first failure and every later record is reported
/// too, keeping the group's order.
/// </summary>
/// <remarks>
/// Deadlines: no record is started with less than the function's <c>reserve</c> of time left, and when the invocation's
/// token fires (shortly before the deadline) the record in hand and every later one are reported as failures, so they
/// go back to the queue instead of failing the whole batch. A record whose own call timed out (a
/// <see cref="TaskCanceledException"/> while the invocation's token is not cancelled) fails alone.
/// </remarks>
public static class SqsBatch
{
    public static async Task<SQSBatchResponse> ProcessAsync(
        SQSEvent batch,
        ILambdaContext context,
        TimeSpan reserve,
        Func<SQSEvent.SQSMessage, Task> handle,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(handle);
        var response = new SQSBatchResponse();
        var records = batch.Records ?? [];
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (cancellationToken.IsCancellationRequested || context.RemainingTime < reserve)
            {
                context.Logger.LogWarning($"{records.Count - i} message(s) not started: {context.RemainingTime.TotalMilliseconds:0} ms left, less than the {reserve.TotalMilliseconds:0} ms one needs; they go back to the queue");
                Fail(response, records.Skip(i));
                break;
            }

            try
            {
                await handle(record).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                context.Logger.LogWarning($"message {record.MessageId} was stopped near the deadline; it and {records.Count - i - 1} later message(s) go back to the queue");
                Fail(response, records.Skip(i));
                break;
            }
            catch (Exception error)
            {
                context.Logger.LogWarning($"message {record.MessageId} failed (receive {record.Attributes?.GetValueOrDefault("ApproximateReceiveCount")}); it goes back to the queue", error);
                var fifo = record.EventSourceArn?.EndsWith(".fifo", StringComparison.Ordinal) == true;
                Fail(response, fifo ? records.Skip(i) : [record]);
                if (fifo)
                {
                    break;
                }
            }
        }

        return response;
    }

    private static void Fail(SQSBatchResponse response, IEnumerable<SQSEvent.SQSMessage> records)
    {
        foreach (var failed in records)
        {
            response.BatchItemFailures.Add(new SQSBatchResponse.BatchItemFailure { ItemIdentifier = failed.MessageId });
        }
    }
}
