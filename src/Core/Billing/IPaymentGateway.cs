namespace PayMyInvoice.Core.Billing;

/// <summary>
/// Takes a payment (Stripe in production). <see cref="ChargeRequest.PaymentId"/> is the provider's idempotency key:
/// the same request again never charges twice. Transient failures throw <see cref="Idempotency.RetryLaterException"/>.
/// </summary>
public interface IPaymentGateway
{
    Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken);
}

public sealed record ChargeRequest(string PaymentId, string UserId, string InvoiceId, long Amount, string Currency, string PaymentMethodId);

public enum ChargeStatus
{
    Succeeded,
    RequiresAction,
    Declined,
}

/// <summary>A final answer from the provider. A decline carries its code and the message to show the payer.</summary>
public sealed record ChargeResult(ChargeStatus Status, string? PaymentIntentId, string? FailureCode = null, string? FailureMessage = null);
