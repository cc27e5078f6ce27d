using PayMyInvoice.Contracts.DynamoDBEvents;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Workers.Invoices;

/// <summary>
/// The invoices table's stream → domain events on the invoice-events topic. Records are handled in order; at the
/// first failure the rest wait, and that record's SequenceNumber is reported, so Lambda retries from it and no event
/// overtakes an earlier one. Event ids derive from the stream record, so a retried record publishes the same ids.
/// Near the deadline the same applies: the first record not started (less than <see cref="Reserve"/> left) or stopped
/// by the invocation's token is reported, and Lambda resumes there. A publish that timed out on its own fails only
/// from its record on, like any other failure.
/// </summary>
public sealed class InvoiceStreamFunction(IInvoiceEventPublisher publisher)
{
    /// <summary>No record is started with less time left than this: one SNS publish, with room to spare.</summary>
    public static readonly TimeSpan Reserve = TimeSpan.FromSeconds(2);

    public async Task<StreamsEventResponse> HandleAsync(DynamoDBEvent stream, ILambdaContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(context);
        var response = new StreamsEventResponse();
        foreach (var record in stream.Records ?? [])
        {
            var sequenceNumber = record.Dynamodb?.SequenceNumber;
            if (cancellationToken.IsCancellationRequested || context.RemainingTime < Reserve)
            {
                context.Logger.LogWarning($"stream record {sequenceNumber} not started: {context.RemainingTime.TotalMilliseconds:0} ms left; it and the records after it will be retried");
                response.BatchItemFailures.Add(new StreamsEventResponse.BatchItemFailure { ItemIdentifier = sequenceNumber });
                break;
            }

            try
            {
                if (ToChange(record) is { } change)
                {
                    await publisher.PublishAsync(change, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                context.Logger.LogWarning($"stream record {sequenceNumber} was stopped near the deadline; it and the records after it will be retried");
                response.BatchItemFailures.Add(new StreamsEventResponse.BatchItemFailure { ItemIdentifier = sequenceNumber });
                break;
            }
            catch (Exception error)
            {
                context.Logger.LogError($"stream record {sequenceNumber} failed; it and the records after it will be retried", error);
                response.BatchItemFailures.Add(new StreamsEventResponse.BatchItemFailure { ItemIdentifier = sequenceNumber });
                break;
            }
        }

        return response;
    }

    public static InvoiceChange? ToChange(DynamoDBEvent.DynamodbStreamRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var before = StreamImages.ToInvoice(record.Dynamodb?.OldImage);
        var after = StreamImages.ToInvoice(record.Dynamodb?.NewImage);
        if (InvoiceEvents.Classify(before, after) is not { } type)
        {
            return null;
        }

        var occurredAt = DateTimeOffset.FromUnixTimeMilliseconds((long)((record.Dynamodb?.ApproximateCreationDateTime ?? 0) * 1000));
        return new InvoiceChange($"{record.EventID}:{type}", type, occurredAt, (after ?? before)!);
    }
}
