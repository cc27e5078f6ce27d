using System.Text.Json;
using System.Text.Json.Serialization;

namespace PayMyInvoice.Contracts.ScheduledEvents;

/// <summary>What an EventBridge schedule rule without a constant input sends.</summary>
public sealed class ScheduledEvent
{
    public string? Version { get; set; }
    public string? Id { get; set; }

    [JsonPropertyName("detail-type")]
    public string? DetailType { get; set; }

    public string? Source { get; set; }
    public string? Account { get; set; }
    public DateTime Time { get; set; }
    public string? Region { get; set; }
    public List<string>? Resources { get; set; }
    public JsonElement? Detail { get; set; }
}
