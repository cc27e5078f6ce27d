using System.Text.Json.Serialization;

namespace PayMyInvoice.Contracts.SNSEvents;

/// <summary>The event SNS sends to a subscribed Lambda. Field names are PascalCase on the wire.</summary>
public sealed class SNSEvent
{
    [JsonPropertyName("Records")]
    public List<SNSRecord>? Records { get; set; }

    public sealed class SNSRecord
    {
        [JsonPropertyName("EventVersion")]
        public string? EventVersion { get; set; }

        [JsonPropertyName("EventSubscriptionArn")]
        public string? EventSubscriptionArn { get; set; }

        [JsonPropertyName("EventSource")]
        public string? EventSource { get; set; }

        [JsonPropertyName("Sns")]
        public SNSMessage? Sns { get; set; }
    }

    /// <summary>Also the envelope an SNS→SQS subscription without raw delivery puts into the SQS body.</summary>
    public sealed class SNSMessage
    {
        [JsonPropertyName("Type")]
        public string? Type { get; set; }

        [JsonPropertyName("MessageId")]
        public string? MessageId { get; set; }

        [JsonPropertyName("TopicArn")]
        public string? TopicArn { get; set; }

        [JsonPropertyName("Subject")]
        public string? Subject { get; set; }

        [JsonPropertyName("Message")]
        public string? Message { get; set; }

        [JsonPropertyName("Timestamp")]
        public DateTime Timestamp { get; set; }

        [JsonPropertyName("SignatureVersion")]
        public string? SignatureVersion { get; set; }

        [JsonPropertyName("Signature")]
        public string? Signature { get; set; }

        [JsonPropertyName("SigningCertUrl")]
        public string? SigningCertUrl { get; set; }

        [JsonPropertyName("UnsubscribeUrl")]
        public string? UnsubscribeUrl { get; set; }

        [JsonPropertyName("MessageAttributes")]
        public Dictionary<string, MessageAttribute>? MessageAttributes { get; set; }
    }

    public sealed class MessageAttribute
    {
        [JsonPropertyName("Type")]
        public string? Type { get; set; }

        [JsonPropertyName("Value")]
        public string? Value { get; set; }
    }
}
