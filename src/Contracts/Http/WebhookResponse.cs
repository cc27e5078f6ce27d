namespace PayMyInvoice.Contracts.Http;

/// <summary>What the webhook answers Stripe once the event is safely queued.</summary>
public sealed class WebhookResponse
{
    public required bool Received { get; init; }
}
