using System.Text.Json.Serialization;

namespace PayMyInvoice.Contracts.StripeEvents;

/// <summary>
/// The part of a Stripe event (<c>object: "event"</c>) the payment-events worker reads, as Stripe's API reference
/// documents it: its id and type, and the object it is about. Read with the source-generated context, so the worker
/// needs no Stripe.net (which does not run under Native AOT). Unknown fields are ignored, as Stripe adds them freely.
/// </summary>
public sealed class StripeEvent
{
    public required string Id { get; init; }

    public required string Type { get; init; }

    public required StripeEventData Data { get; init; }
}

public sealed class StripeEventData
{
    public required StripeEventObject Object { get; init; }
}

/// <summary>The event's object: a PaymentIntent for <c>payment_intent.*</c>, a Checkout Session for <c>checkout.session.*</c>.</summary>
public sealed class StripeEventObject
{
    public required string Id { get; init; }

    /// <summary>The object's kind: <c>payment_intent</c>, <c>checkout.session</c>, ...</summary>
    public required string Object { get; init; }

    public string? Status { get; init; }

    public Dictionary<string, string>? Metadata { get; init; }

    [JsonPropertyName("last_payment_error")]
    public StripeError? LastPaymentError { get; init; }

    /// <summary>A Checkout Session's PaymentIntent id (unexpanded), once it has one.</summary>
    [JsonPropertyName("payment_intent")]
    public string? PaymentIntent { get; init; }

    /// <summary>A Checkout Session's <c>paid</c>, <c>unpaid</c> or <c>no_payment_required</c>.</summary>
    [JsonPropertyName("payment_status")]
    public string? PaymentStatus { get; init; }

    /// <summary>A PaymentIntent's client secret (what the payer's browser needs to authenticate it).</summary>
    [JsonPropertyName("client_secret")]
    public string? ClientSecret { get; init; }

    /// <summary>A PaymentIntent's <c>next_action</c>, set while it is <c>requires_action</c>.</summary>
    [JsonPropertyName("next_action")]
    public StripeNextAction? NextAction { get; init; }
}

/// <summary>
/// A PaymentIntent's <c>next_action</c>: its <c>type</c> and, for <c>redirect_to_url</c>, where to send the payer.
/// The other members (<c>use_stripe_sdk</c>, …) are for Stripe.js only and are not read.
/// </summary>
public sealed class StripeNextAction
{
    public required string Type { get; init; }

    [JsonPropertyName("redirect_to_url")]
    public StripeRedirectToUrl? RedirectToUrl { get; init; }
}

public sealed class StripeRedirectToUrl
{
    public string? Url { get; init; }

    [JsonPropertyName("return_url")]
    public string? ReturnUrl { get; init; }
}

/// <summary>Stripe's error object as a PaymentIntent's <c>last_payment_error</c> carries it.</summary>
public sealed class StripeError
{
    public string? Type { get; init; }

    public string? Code { get; init; }

    [JsonPropertyName("decline_code")]
    public string? DeclineCode { get; init; }

    public string? Message { get; init; }
}
