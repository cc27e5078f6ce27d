using System.Text.Json.Nodes;

namespace PayMyInvoice.StripeEmulator;

/// <summary>
/// A Checkout Session (mode <c>payment</c>) as the emulator keeps it; <see cref="ToJson"/> is Stripe's documented
/// <c>checkout.session</c> object (the fields a hosted-page payment uses; the rest are Stripe's values for a session
/// without tax, shipping, discounts or a customer object).
/// </summary>
public sealed class CheckoutSession
{
    public required string Id { get; init; }
    public required string Currency { get; init; }
    public required IReadOnlyList<CheckoutLineItem> LineItems { get; init; }
    public required long Created { get; init; }
    public required long ExpiresAt { get; set; }
    public required string SuccessUrl { get; init; }
    public string? CancelUrl { get; init; }
    public string? ClientReferenceId { get; init; }
    public string? CustomerEmail { get; init; }
    public required Dictionary<string, string> Metadata { get; init; }

    /// <summary><c>payment_intent_data[metadata]</c>: copied onto the PaymentIntent the payment creates.</summary>
    public required Dictionary<string, string> PaymentIntentMetadata { get; init; }

    /// <summary>The hosted page on the emulator.</summary>
    public required Uri Url { get; init; }

    /// <summary><c>open</c>, <c>complete</c> or <c>expired</c>.</summary>
    public string Status { get; set; } = "open";

    /// <summary><c>unpaid</c> or <c>paid</c>.</summary>
    public string PaymentStatus { get; set; } = "unpaid";

    /// <summary>Null until the payer first tries to pay: Stripe creates the PaymentIntent at confirmation.</summary>
    public string? PaymentIntentId { get; set; }

    public long AmountTotal => LineItems.Sum(item => item.UnitAmount * item.Quantity);

    /// <summary>Where the browser goes after paying: success_url with Stripe's <c>{CHECKOUT_SESSION_ID}</c> template filled in.</summary>
    public string SuccessRedirect => SuccessUrl.Replace("{CHECKOUT_SESSION_ID}", Id, StringComparison.Ordinal);

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "checkout.session",
        ["after_expiration"] = null,
        ["allow_promotion_codes"] = null,
        ["amount_subtotal"] = AmountTotal,
        ["amount_total"] = AmountTotal,
        ["automatic_tax"] = new JsonObject { ["enabled"] = false, ["liability"] = null, ["provider"] = null, ["status"] = null },
        ["billing_address_collection"] = null,
        ["cancel_url"] = CancelUrl,
        ["client_reference_id"] = ClientReferenceId,
        ["client_secret"] = null,
        ["created"] = Created,
        ["currency"] = Currency,
        ["custom_fields"] = new JsonArray(),
        ["customer"] = null,
        ["customer_creation"] = "if_required",

        // Stripe fills customer_details from what the payer entered, so only once the session is complete.
        ["customer_details"] = Status == "complete"
            ? new JsonObject { ["address"] = null, ["email"] = CustomerEmail, ["name"] = null, ["phone"] = null, ["tax_exempt"] = "none", ["tax_ids"] = new JsonArray() }
            : null,
        ["customer_email"] = CustomerEmail,
        ["expires_at"] = ExpiresAt,
        ["invoice"] = null,
        ["livemode"] = false,
        ["locale"] = null,
        ["metadata"] = Map(Metadata),
        ["mode"] = "payment",
        ["payment_intent"] = PaymentIntentId,
        ["payment_link"] = null,
        ["payment_method_collection"] = "if_required",
        ["payment_method_options"] = new JsonObject(),
        ["payment_method_types"] = new JsonArray("card"),
        ["payment_status"] = PaymentStatus,
        ["phone_number_collection"] = new JsonObject { ["enabled"] = false },
        ["recovered_from"] = null,
        ["setup_intent"] = null,
        ["shipping_address_collection"] = null,
        ["shipping_cost"] = null,
        ["shipping_options"] = new JsonArray(),
        ["status"] = Status,
        ["submit_type"] = null,
        ["subscription"] = null,
        ["success_url"] = SuccessUrl,
        ["total_details"] = new JsonObject { ["amount_discount"] = 0, ["amount_shipping"] = 0, ["amount_tax"] = 0 },
        ["ui_mode"] = "hosted_page",

        // Stripe nulls the url once the session can no longer be paid.
        ["url"] = Status == "open" ? Url.ToString() : null,
    };

    internal static JsonObject Map(Dictionary<string, string> values) => new(values.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)));
}

/// <summary>One <c>line_items[i]</c> with inline <c>price_data</c>: what the hosted page shows and the total adds up.</summary>
public sealed record CheckoutLineItem(string Name, long UnitAmount, long Quantity);
