using System.Text.Json.Nodes;

namespace PayMyInvoice.StripeEmulator;

/// <summary>
/// <c>POST /v1/refunds</c>, the part the project uses: a whole or partial refund of a succeeded PaymentIntent
/// (<c>payment_intent</c>, optional <c>amount</c>, <c>reason</c>, <c>metadata[...]</c>), answered with Stripe's Refund
/// object (<c>status: succeeded</c>, as card refunds in test mode). A refund of more than is left is
/// <c>charge_already_refunded</c> when nothing is left, else <c>amount_too_large</c>; an intent without a successful
/// charge cannot be refunded. Refunding by <c>charge</c> is not emulated.
/// </summary>
public static class Refunds
{
    public static readonly IReadOnlyList<string> Reasons = ["duplicate", "fraudulent", "requested_by_customer"];

    public static (int Status, JsonObject Body) Create(IReadOnlyDictionary<string, string> form, Func<string, PaymentIntent?> findIntent)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(findIntent);
        if (form.GetValueOrDefault("payment_intent") is not { Length: > 0 } intentId)
        {
            return (400, Cancellations.Error("One of the following params should be provided for this request: payment_intent or charge.", code: "parameter_missing", param: "payment_intent"));
        }

        if (findIntent(intentId) is not { } intent)
        {
            return (404, Cancellations.Error($"No such payment_intent: '{intentId}'", code: "resource_missing", param: "payment_intent"));
        }

        if (intent.Status != "succeeded" || intent.LatestCharge is null)
        {
            return (400, Cancellations.Error($"This PaymentIntent ({intentId}) does not have a successful charge to refund.", param: "payment_intent"));
        }

        var left = intent.Amount - intent.AmountRefunded;
        if (left <= 0)
        {
            return (400, Cancellations.Error($"Charge {intent.LatestCharge} has already been refunded.", code: "charge_already_refunded"));
        }

        var amount = left;
        if (form.GetValueOrDefault("amount") is { } requested)
        {
            if (!long.TryParse(requested, out amount) || amount < 1)
            {
                return (400, Cancellations.Error("Invalid positive integer", code: "parameter_invalid_integer", param: "amount"));
            }

            if (amount > left)
            {
                return (400, Cancellations.Error($"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})", code: "amount_too_large", param: "amount"));
            }
        }

        var reason = form.GetValueOrDefault("reason");
        if (reason is not null && !Reasons.Contains(reason))
        {
            return (400, Cancellations.Error($"Invalid reason: must be one of {string.Join(", ", Reasons)}", code: "parameter_invalid_string", param: "reason"));
        }

        intent.AmountRefunded += amount;
        return (200, new JsonObject
        {
            ["id"] = $"re_{Guid.NewGuid():N}"[..27],
            ["object"] = "refund",
            ["amount"] = amount,
            ["balance_transaction"] = null,
            ["charge"] = intent.LatestCharge,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["currency"] = intent.Currency,
            ["metadata"] = new JsonObject(form
                .Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal) && f.Key.EndsWith(']'))
                .Select(f => KeyValuePair.Create(f.Key["metadata[".Length..^1], (JsonNode?)f.Value))),
            ["payment_intent"] = intent.Id,
            ["reason"] = reason,
            ["receipt_number"] = null,
            ["status"] = "succeeded",
        });
    }
}
