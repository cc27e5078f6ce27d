using System.Text.Json.Nodes;

namespace PayMyInvoice.StripeEmulator;

/// <summary>A PaymentIntent as the emulator keeps it; <see cref="ToJson"/> is Stripe's documented object shape.</summary>
public sealed class PaymentIntent
{
    public required string Id { get; init; }
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required long Created { get; init; }
    public required Dictionary<string, string> Metadata { get; init; }
    public string? PaymentMethod { get; set; }
    public string? Description { get; init; }
    public string Status { get; set; } = "requires_payment_method";
    public string? LatestCharge { get; set; }
    public JsonObject? LastPaymentError { get; set; }
    public long? CanceledAt { get; set; }
    public string? CancellationReason { get; set; }

    /// <summary>What refunds gave back (<c>POST /v1/refunds</c>), in minor units; Stripe shows it on the charge.</summary>
    public long AmountRefunded { get; set; }
    public string ClientSecret => $"{Id}_secret_{Id.GetHashCode(StringComparison.Ordinal):x8}";

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "payment_intent",
        ["amount"] = Amount,
        ["amount_capturable"] = 0,
        ["amount_received"] = Status == "succeeded" ? Amount : 0,
        ["canceled_at"] = CanceledAt,
        ["cancellation_reason"] = CancellationReason,
        ["capture_method"] = "automatic",
        ["client_secret"] = ClientSecret,
        ["confirmation_method"] = "automatic",
        ["created"] = Created,
        ["currency"] = Currency,
        ["customer"] = null,
        ["description"] = Description,
        ["last_payment_error"] = LastPaymentError?.DeepClone(),
        ["latest_charge"] = LatestCharge,
        ["livemode"] = false,
        ["metadata"] = new JsonObject(Metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))),
        ["next_action"] = Status == "requires_action"
            ? new JsonObject { ["type"] = "use_stripe_sdk", ["use_stripe_sdk"] = new JsonObject { ["type"] = "three_d_secure_redirect" } }
            : null,
        ["payment_method"] = PaymentMethod,
        ["payment_method_types"] = new JsonArray("card"),
        ["status"] = Status,
    };
}
