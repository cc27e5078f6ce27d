using PayMyInvoice.Contracts.SQSEvents;

namespace PayMyInvoice.Lambda;

/// <summary>
/// Partial batch failures for SQS, the Powertools way: every record starts failed and only success removes it, so a
/// message is never lost. On a FIFO queue processing stops at the first failure and every later record is reported
/// too, keeping the group's order.
/// </summary>
public static class SqsBatch
{
    public static async Task<SQSBatchResponse> ProcessAsync(SQSEvent batch, ILambdaContext context, Func<SQSEvent.SQSMessage, Task> handle)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(handle);
        var response = new SQSBatchResponse();
        var records = batch.Records ?? [];
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            try
            {
                await handle(record).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                context.Logger.LogWarning($"message {record.MessageId} failed (receive {record.Attributes?.GetValueOrDefault("ApproximateReceiveCount")}); it goes back to the queue", error);
                var fifo = record.EventSourceArn?.EndsWith(".fifo", StringComparison.Ordinal) == true;
                foreach (var failed in fifo ? records.Skip(i) : [record])
                {
                    response.BatchItemFailures.Add(new SQSBatchResponse.BatchItemFailure { ItemIdentifier = failed.MessageId });
                }

                if (fifo)
                {
                    break;
                }
            }
        }

        return response;
    }
}
