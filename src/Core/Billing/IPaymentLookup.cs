namespace PayMyInvoice.Core.Billing;

/// <summary>
/// Asks the payment provider (Stripe) what became of a payment, and gives up on one the payer never finished. For the
/// reconciler; the charge itself is <see cref="IPaymentGateway"/>'s. Transient failures (the provider busy or down,
/// no answer in time) throw <see cref="Idempotency.RetryLaterException"/>; a refusal of our request (key,
/// permissions) throws <see cref="PaymentLookupException"/>.
/// </summary>
public interface IPaymentLookup
{
    /// <summary>The provider's view of <paramref name="payment"/>; <see cref="ProviderPaymentStatus.NotFound"/> when it never saw it.</summary>
    /// <param name="deadline">When the calling invocation ends: the call gives up early enough to record what it learnt.</param>
    Task<ProviderPayment> FindAsync(PaymentReference payment, DateTimeOffset deadline, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels the PaymentIntent (the payer abandoned it) and answers its state after: canceled, or — if the payer
    /// completed it meanwhile — whatever it became.
    /// </summary>
    Task<ProviderPayment> CancelAsync(string paymentIntentId, DateTimeOffset deadline, CancellationToken cancellationToken);
}

/// <summary>
/// What identifies a payment at the provider: our payment id (in the PaymentIntent's metadata, and its idempotency key)
/// and the PaymentIntent id once known.
/// </summary>
/// A payment made from the pay link is found by its Checkout Session instead.
public sealed record PaymentReference(string PaymentId, string? PaymentIntentId, string? CheckoutSessionId = null);

public enum ProviderPaymentStatus
{
    /// <summary>The provider has no payment for this id: it never reached it (or, for a search, not yet searchable).</summary>
    NotFound,
    Succeeded,
    RequiresAction,

    /// <summary>Refused or abandoned (Stripe: <c>requires_payment_method</c> after an attempt, or <c>canceled</c>).</summary>
    Failed,

    /// <summary>Still moving at the provider (Stripe: <c>processing</c>, <c>requires_confirmation</c>, <c>requires_capture</c>; a Checkout Session still open): its webhook will tell.</summary>
    Pending,

    /// <summary>A Checkout Session that expired unpaid: nothing was taken, the invoice is payable again.</summary>
    Abandoned,
}

/// <summary>The provider's payment: <see cref="RawStatus"/> is its own status name, for logs.</summary>
public sealed record ProviderPayment(ProviderPaymentStatus Status, string? PaymentIntentId = null, string? RawStatus = null, string? FailureCode = null)
{
    /// <summary>For <see cref="ProviderPaymentStatus.RequiresAction"/>: what the owner's frontend needs to let the payer finish it.</summary>
    public string? ClientSecret { get; init; }

    public Invoices.PaymentNextAction? NextAction { get; init; }

    public static ProviderPayment NotFound { get; } = new(ProviderPaymentStatus.NotFound);
}

/// <summary>The provider refused our lookup itself (wrong or revoked key, missing permission): retrying will not help until operators act.</summary>
public sealed class PaymentLookupException(string message, Exception? inner = null) : Exception(message, inner);
