using System.Text.Json.Serialization;

namespace PayMyInvoice.Contracts.Http;

/// <summary>Body of <c>POST /invoices/{id}/pay</c>; an optional <c>Idempotency-Key</c> header makes retries safe.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class PayRequest
{
    public string? PaymentMethodId { get; set; }
}

/// <summary>The answer to a pay request: 202 while the payment is taken asynchronously.</summary>
public sealed class PaymentResponse
{
    public required string InvoiceId { get; init; }
    public required string PaymentId { get; init; }
    public required string Status { get; init; }
}

/// <summary>The invoice's current payment attempt, as clients see it.</summary>
public sealed class PaymentDto
{
    public required string PaymentId { get; init; }
    public string? FailureCode { get; init; }
    public string? FailureMessage { get; init; }

    /// <summary>Only while the invoice is <c>requires_action</c>: Stripe's client secret, for <c>stripe.handleNextAction({clientSecret})</c>.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>Only while the invoice is <c>requires_action</c>: what Stripe's <c>next_action</c> asks of the payer.</summary>
    public NextActionDto? NextAction { get; init; }
}

/// <summary>
/// Stripe's <c>next_action</c>, reduced to what a frontend needs: <c>{"type":"use_stripe_sdk"}</c>, or
/// <c>{"type":"redirect_to_url","redirectToUrl":{"url":…,"returnUrl":…}}</c>. Either way
/// <c>stripe.handleNextAction({clientSecret})</c> completes it.
/// </summary>
public sealed class NextActionDto
{
    public required string Type { get; init; }
    public RedirectToUrlDto? RedirectToUrl { get; init; }
}

public sealed class RedirectToUrlDto
{
    public required string Url { get; init; }
    public string? ReturnUrl { get; init; }
}

/// <summary>Body of <c>POST /billing</c>: an account fee of <c>txnQty</c> units of <c>txnType</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class BillingRequest
{
    public string? TxnType { get; set; }
    public long? TxnQty { get; set; }
    public string? PaymentMethodId { get; set; }
}

/// <summary>An account fee and where its payment stands.</summary>
public sealed class BillingResponse
{
    public required string BillingId { get; init; }
    public required string TxnType { get; init; }
    public required long TxnQty { get; init; }
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required string Status { get; init; }
    public required PaymentDto Payment { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}
