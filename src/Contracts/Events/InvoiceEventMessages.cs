using System.Text.Json;

namespace PayMyInvoice.Contracts.Events;

/// <summary>
/// Reads an invoice event from an SQS body: the event itself with raw message delivery (how serverless.yml subscribes
/// the queues), or inside SNS's envelope without it. A body that is neither throws, and the message ends in the DLQ.
/// </summary>
public static class InvoiceEventMessages
{
    public static InvoiceEvent Read(string? body)
    {
        ArgumentException.ThrowIfNullOrEmpty(body);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.TryGetProperty("Type", out var type) && type.ValueEquals("Notification") && root.TryGetProperty("Message", out var message))
        {
            return Read(message.GetString());
        }

        return root.Deserialize(ContractsJsonContext.Wire.InvoiceEvent) ?? throw new JsonException("The message is JSON null.");
    }
}
