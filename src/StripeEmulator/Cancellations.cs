using System.Text.Json.Nodes;

namespace PayMyInvoice.StripeEmulator;

/// <summary>
/// <c>POST /v1/payment_intents/{id}/cancel</c> as Stripe documents it: an intent in <see cref="CancellableStatuses"/>
/// becomes <c>canceled</c> with <c>canceled_at</c> and <c>cancellation_reason</c>; any other status is a 400
/// <c>invalid_request_error</c> with code <c>payment_intent_unexpected_state</c> and the intent in the error, as Stripe
/// answers (so a caller learns that it already succeeded, or was already cancelled).
/// </summary>
public static class Cancellations
{
    public static readonly IReadOnlyList<string> CancellableStatuses =
        ["requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing"];

    /// <summary>The reasons a caller may give; Stripe sets the others (failed_invoice, void_invoice, automatic) itself.</summary>
    public static readonly IReadOnlyList<string> Reasons = ["duplicate", "fraudulent", "requested_by_customer", "abandoned"];

    public static (int Status, JsonObject Body) Cancel(PaymentIntent intent, string? reason)
    {
        ArgumentNullException.ThrowIfNull(intent);
        if (reason is not null && !Reasons.Contains(reason))
        {
            return (400, Error(
                $"Invalid cancellation_reason: must be one of {string.Join(", ", Reasons)}",
                code: "parameter_invalid_string", param: "cancellation_reason"));
        }

        if (!CancellableStatuses.Contains(intent.Status))
        {
            var error = Error(
                $"You cannot cancel this PaymentIntent because it has a status of {intent.Status}. Only a PaymentIntent with one of the following statuses may be canceled: {string.Join(", ", CancellableStatuses)}.",
                code: "payment_intent_unexpected_state");
            error["error"]!["doc_url"] = "https://stripe.com/docs/error-codes/payment-intent-unexpected-state";
            error["error"]!["payment_intent"] = intent.ToJson();
            return (400, error);
        }

        intent.Status = "canceled";
        intent.CanceledAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        intent.CancellationReason = reason;
        return (200, intent.ToJson());
    }

    internal static JsonObject Error(string message, string? code = null, string? param = null)
    {
        var error = new JsonObject { ["type"] = "invalid_request_error", ["message"] = message };
        if (code is not null)
        {
            error["code"] = code;
        }

        if (param is not null)
        {
            error["param"] = param;
        }

        return new JsonObject { ["error"] = error };
    }
}
