using System.Text.Json;

namespace PayMyInvoice.Contracts.Events;

/// <summary>
/// Reads an invoice event from an SQS body: the event itself with raw message delivery (how serverless.yml subscribes
/// the queues), or inside SNS's envelope without it. A body that is neither, or an event of another version, throws, and
/// the message ends in the DLQ.
/// </summary>
public static class InvoiceEventMessages
{
    public static InvoiceEvent Read(string? body)
    {
        ArgumentException.ThrowIfNullOrEmpty(body);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"The message is a JSON {root.ValueKind}, not an event.");
        }

        if (root.TryGetProperty("Type", out var type) && type.ValueEquals("Notification") && root.TryGetProperty("Message", out var message))
        {
            return Read(message.GetString());
        }

        var evt = root.Deserialize(ContractsJsonContext.Wire.InvoiceEvent) ?? throw new JsonException("The message is JSON null.");

        // Another version may mean something else by the same fields: refused (so dead-lettered until a consumer that
        // knows it is deployed and the queue redriven) rather than read as this one.
        return evt.EventVersion == InvoiceEvent.CurrentVersion
            ? evt
            : throw new JsonException($"Event {evt.EventId} is version {evt.EventVersion}; this consumer reads version {InvoiceEvent.CurrentVersion}.");
    }
}
