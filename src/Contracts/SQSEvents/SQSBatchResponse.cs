namespace PayMyInvoice.Contracts.SQSEvents;

/// <summary>
/// Partial batch failure response (honoured when the mapping sets ReportBatchItemFailures). An empty list means
/// the whole batch succeeded. The same shape serves DynamoDB streams, where the identifier is the SequenceNumber.
/// </summary>
public sealed class SQSBatchResponse
{
    public List<BatchItemFailure> BatchItemFailures { get; set; } = [];

    public sealed class BatchItemFailure
    {
        public string? ItemIdentifier { get; set; }
    }
}
