using PayMyInvoice.Contracts.DynamoDBEvents;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Workers.Invoices;

/// <summary>
/// The invoices table's stream → domain events on the invoice-events topic. Records are handled in order; at the
/// first failure the rest wait, and that record's SequenceNumber is reported, so Lambda retries from it and no event
/// overtakes an earlier one. Event ids derive from the stream record, so a retried record publishes the same ids.
/// </summary>
public sealed class InvoiceStreamFunction(IInvoiceEventPublisher publisher)
{
    public async Task<StreamsEventResponse> HandleAsync(DynamoDBEvent stream, ILambdaContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(context);
        var response = new StreamsEventResponse();
        foreach (var record in stream.Records ?? [])
        {
            try
            {
                if (ToChange(record) is { } change)
                {
                    await publisher.PublishAsync(change, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                context.Logger.LogError($"stream record {record.Dynamodb?.SequenceNumber} failed; it and the records after it will be retried", error);
                response.BatchItemFailures.Add(new StreamsEventResponse.BatchItemFailure { ItemIdentifier = record.Dynamodb?.SequenceNumber });
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
