using System.Text.Json.Serialization;

namespace PayMyInvoice.Contracts.DynamoDBEvents;

/// <summary>The event Lambda's DynamoDB Streams event source mapping sends.</summary>
public sealed class DynamoDBEvent
{
    [JsonPropertyName("Records")]
    public List<DynamodbStreamRecord>? Records { get; set; }

    public sealed class DynamodbStreamRecord
    {
        [JsonPropertyName("eventID")]
        public string? EventID { get; set; }

        /// <summary>INSERT, MODIFY or REMOVE.</summary>
        public string? EventName { get; set; }

        public string? EventVersion { get; set; }
        public string? EventSource { get; set; }
        public string? AwsRegion { get; set; }

        [JsonPropertyName("eventSourceARN")]
        public string? EventSourceArn { get; set; }

        /// <summary>Present on deletions made by TTL (type "Service", principalId "dynamodb.amazonaws.com").</summary>
        public Identity? UserIdentity { get; set; }

        public StreamRecord? Dynamodb { get; set; }
    }

    public sealed class Identity
    {
        public string? Type { get; set; }
        public string? PrincipalId { get; set; }
    }

    public sealed class StreamRecord
    {
        /// <summary>Epoch seconds, a JSON number.</summary>
        [JsonPropertyName("ApproximateCreationDateTime")]
        public double ApproximateCreationDateTime { get; set; }

        [JsonPropertyName("Keys")]
        public Dictionary<string, AttributeValue>? Keys { get; set; }

        [JsonPropertyName("NewImage")]
        public Dictionary<string, AttributeValue>? NewImage { get; set; }

        [JsonPropertyName("OldImage")]
        public Dictionary<string, AttributeValue>? OldImage { get; set; }

        [JsonPropertyName("SequenceNumber")]
        public string? SequenceNumber { get; set; }

        [JsonPropertyName("SizeBytes")]
        public long SizeBytes { get; set; }

        [JsonPropertyName("StreamViewType")]
        public string? StreamViewType { get; set; }
    }

    /// <summary>A DynamoDB attribute value: exactly one of its members is set. Binary values are base64 on the wire.</summary>
    public sealed class AttributeValue
    {
        [JsonPropertyName("S")]
        public string? S { get; set; }

        [JsonPropertyName("N")]
        public string? N { get; set; }

        [JsonPropertyName("B")]
        public byte[]? B { get; set; }

        [JsonPropertyName("BOOL")]
        public bool? BOOL { get; set; }

        [JsonPropertyName("NULL")]
        public bool? NULL { get; set; }

        [JsonPropertyName("M")]
        public Dictionary<string, AttributeValue>? M { get; set; }

        [JsonPropertyName("L")]
        public List<AttributeValue>? L { get; set; }

        [JsonPropertyName("SS")]
        public List<string>? SS { get; set; }

        [JsonPropertyName("NS")]
        public List<string>? NS { get; set; }

        [JsonPropertyName("BS")]
        public List<byte[]>? BS { get; set; }
    }
}

/// <summary>Partial batch failure response for stream event sources: the identifier is the record's SequenceNumber.</summary>
public sealed class StreamsEventResponse
{
    public List<BatchItemFailure> BatchItemFailures { get; set; } = [];

    public sealed class BatchItemFailure
    {
        public string? ItemIdentifier { get; set; }
    }
}
