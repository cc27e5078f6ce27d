using System.Text.Json.Serialization;

namespace PayMyInvoice.Contracts.SQSEvents;

/// <summary>The event Lambda's SQS event source mapping sends. All <c>attributes</c> values are strings on the wire.</summary>
public sealed class SQSEvent
{
    [JsonPropertyName("Records")]
    public List<SQSMessage>? Records { get; set; }

    public sealed class SQSMessage
    {
        public string? MessageId { get; set; }
        public string? ReceiptHandle { get; set; }
        public string? Body { get; set; }
        public string? Md5OfBody { get; set; }
        public string? Md5OfMessageAttributes { get; set; }
        public string? EventSource { get; set; }

        [JsonPropertyName("eventSourceARN")]
        public string? EventSourceArn { get; set; }

        public string? AwsRegion { get; set; }
        public Dictionary<string, string>? Attributes { get; set; }
        public Dictionary<string, MessageAttribute>? MessageAttributes { get; set; }
    }

    public sealed class MessageAttribute
    {
        public string? StringValue { get; set; }

        /// <summary>Base64 on the wire.</summary>
        public byte[]? BinaryValue { get; set; }

        public List<string>? StringListValues { get; set; }
        public List<byte[]>? BinaryListValues { get; set; }
        public string? DataType { get; set; }
    }
}
