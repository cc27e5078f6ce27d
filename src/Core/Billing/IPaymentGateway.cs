namespace PayMyInvoice.Core.Billing;

/// <summary>
/// Takes a payment (Stripe in production). <see cref="ChargeRequest.PaymentId"/> is the provider's idempotency key:
/// the same request again never charges twice. Transient failures (the provider busy or down, no answer in time)
/// throw <see cref="Idempotency.RetryLaterException"/>; every other answer is a <see cref="ChargeResult"/>.
/// </summary>
public interface IPaymentGateway
{
    /// <param name="deadline">When the calling invocation ends: the call gives up early enough for its outcome to be
    /// recorded before then.</param>
    Task<ChargeResult> ChargeAsync(ChargeRequest request, DateTimeOffset deadline, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels a PaymentIntent so that it can no longer take money. One already cancelled (or unknown to the provider)
    /// counts as <see cref="CancelStatus.Canceled"/>; one that already succeeded is <see cref="CancelStatus.AlreadySucceeded"/>:
    /// the payer paid it before the cancel landed.
    /// </summary>
    Task<CancelResult> CancelAsync(string paymentIntentId, DateTimeOffset deadline, CancellationToken cancellationToken);

    /// <summary>Refunds a succeeded PaymentIntent in full, once however often it is asked (an idempotency key per intent).</summary>
    Task<RefundResult> RefundAsync(string paymentIntentId, DateTimeOffset deadline, CancellationToken cancellationToken);
}

public enum CancelStatus
{
    /// <summary>The PaymentIntent cannot take money any more (cancelled now or before, or it does not exist).</summary>
    Canceled,

    /// <summary>Too late: the PaymentIntent succeeded, so the money was taken.</summary>
    AlreadySucceeded,

    /// <summary>The provider refused the request itself (key, permissions, parameters): see <see cref="CancelResult.ProviderError"/>.</summary>
    Refused,
}

public sealed record CancelResult(CancelStatus Status, string PaymentIntentId, ProviderError? ProviderError = null);

public sealed record RefundResult(string RefundId, string Status, long Amount, string Currency);

public sealed record ChargeRequest(string PaymentId, string UserId, string InvoiceId, long Amount, string Currency, string PaymentMethodId);

public enum ChargeStatus
{
    Succeeded,
    RequiresAction,

    /// <summary>The card (or the payer's payment method) was refused: the payer can fix it with another card.</summary>
    Declined,

    /// <summary>
    /// The provider refused the request itself — our key, its permissions, our parameters, a reused idempotency key —
    /// so retrying cannot help and the payer cannot fix it; operators must (see <see cref="ChargeResult.ProviderError"/>).
    /// </summary>
    Failed,

    /// <summary>The payer left a Checkout Session until it expired: nothing was charged and the invoice is payable again.</summary>
    Abandoned,
}

/// <summary>
/// A final answer from the provider. <see cref="FailureMessage"/> is always our own plain sentence for
/// <see cref="FailureCode"/> (<see cref="PaymentFailureMessages"/>), never the provider's developer message.
/// </summary>
public sealed record ChargeResult(ChargeStatus Status, string? PaymentIntentId, string? FailureCode = null, string? FailureMessage = null)
{
    /// <summary>With <see cref="ChargeStatus.RequiresAction"/>: Stripe's <c>client_secret</c>, for the owner's frontend only.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>With <see cref="ChargeStatus.RequiresAction"/>: what Stripe's <c>next_action</c> asks of the payer.</summary>
    public Invoices.PaymentNextAction? NextAction { get; init; }

    /// <summary>What the provider said when it refused the request itself: for operators' logs, never for payers.</summary>
    public ProviderError? ProviderError { get; init; }

    /// <summary>A decline, with the sentence payer and owner see for its code (Stripe's <c>decline_code</c>, else its <c>code</c>).</summary>
    public static ChargeResult Declined(string? paymentIntentId, string? failureCode) =>
        new(ChargeStatus.Declined, paymentIntentId, failureCode, PaymentFailureMessages.For(failureCode));

    /// <summary>The provider refused the request itself: <c>processing_error</c> for payer and owner, the details for operators.</summary>
    public static ChargeResult FailedByProvider(string? paymentIntentId, ProviderError error) =>
        new(ChargeStatus.Failed, paymentIntentId, PaymentFailureMessages.ProcessingError, PaymentFailureMessages.For(PaymentFailureMessages.ProcessingError))
        {
            ProviderError = error,
        };
}

/// <summary>The provider's error as operators need it; <see cref="Message"/> has any API key fragment removed.</summary>
public sealed record ProviderError(string Type, int HttpStatus, string? Code, string? Param, string? RequestId, string? Message);

/// <summary>
/// Opens Stripe Checkout Sessions for the pay link: Stripe's page collects the card (3-D Secure included) and its
/// webhooks settle the payment. <see cref="CheckoutRequest.IdempotencyKey"/> makes a repeated request answer the same
/// session. Transient failures throw <see cref="Idempotency.RetryLaterException"/>; a refusal of the request itself
/// throws <see cref="ProviderRefusedException"/>.
/// </summary>
public interface ICheckoutGateway
{
    /// <param name="deadline">When the calling invocation ends: the call gives up early enough to answer the payer.</param>
    Task<Invoices.CheckoutSessionRef> CreateSessionAsync(CheckoutRequest request, DateTimeOffset deadline, CancellationToken cancellationToken);
}

public sealed record CheckoutRequest(
    string PaymentId,
    string UserId,
    string InvoiceId,
    long Amount,
    string Currency,
    string Description,
    string? PayerEmail,
    Uri SuccessUrl,
    Uri CancelUrl,
    DateTimeOffset ExpiresAt)
{
    /// <summary>The payment id and the expiry: the same press again gets the same session, a later one a fresh one.</summary>
    public string IdempotencyKey => $"{PaymentId}-{ExpiresAt.ToUnixTimeSeconds()}";
}
