using System.Security.Cryptography;
using System.Text;
using PayMyInvoice.Core.Requests;

namespace PayMyInvoice.Core.Invoices;

/// <summary>
/// Asking for payment and voiding: one conditional write each (re-judged on a lost race). Paying moves an invoice
/// open|requires_action|payment_failed → processing and records a payment id; the stream turns that into
/// PaymentRequested for the billing worker. Paying again or voiding leaves the previous attempt's PaymentIntent for the
/// billing worker to cancel (this Native AOT side does not call Stripe): a new attempt names it in
/// <see cref="PaymentAttempt.ReplacesPaymentIntentId"/>, a voided invoice keeps it on its payment (InvoiceVoided).
/// </summary>
public sealed class PaymentService(IInvoiceStore store, TimeProvider time)
{
    public const int MaxIdempotencyKeyLength = RememberedRequests.MaxKeyLength;

    /// <summary>
    /// With <paramref name="remember"/> the move to processing also remembers the request (Idempotency-Key) in the
    /// same write; an answer that writes nothing remembers nothing.
    /// </summary>
    public async Task<Result<Invoice>> PayAsync(
        string userId,
        string? invoiceId,
        string? paymentMethodId,
        string? idempotencyKey,
        CancellationToken cancellationToken,
        Func<Invoice, RememberedRequest>? remember = null)
    {
        var errors = new List<FieldError>();
        if (Billing.PaymentMethods.Check(paymentMethodId) is { } paymentMethodError)
        {
            errors.Add(paymentMethodError);
        }

        if (idempotencyKey is { } key && RememberedRequests.CheckKey(key) is { } keyError)
        {
            errors.Add(keyError);
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        if (!InvoiceIds.IsWellFormed(invoiceId))
        {
            return Failure.NotFound("The invoice");
        }

        var paymentId = PaymentIdFor(userId, invoiceId!, idempotencyKey);
        var update = await store.UpdateAsync(userId, invoiceId!, current =>
        {
            if (current.Payment?.PaymentId == paymentId && current.Status != InvoiceStatus.Open)
            {
                return current; // the same request again (same key): the same answer
            }

            if (current.Status is InvoiceStatus.Processing)
            {
                return Failure.Conflict("payment_in_progress", "A payment for this invoice is already under way.");
            }

            var paying = current.MoveTo(InvoiceStatus.Processing, "paid");
            return paying.Failure ?? (Result<Invoice>)(paying.Value! with
            {
                Payment = new PaymentAttempt(paymentId, paymentMethodId!) { ReplacesPaymentIntentId = StillOpenIntent(current.Payment) },
            });
        }, time, cancellationToken, remember: remember).ConfigureAwait(false);
        return update.Result;
    }

    public async Task<Result<Invoice>> VoidAsync(string userId, string? invoiceId, CancellationToken cancellationToken) =>
        InvoiceIds.IsWellFormed(invoiceId)
            ? (await store.UpdateAsync(userId, invoiceId!, current => current.MoveTo(InvoiceStatus.Void, "voided"), time, cancellationToken).ConfigureAwait(false)).Result
            : Failure.NotFound("The invoice");

    /// <summary>
    /// The PaymentIntent a new attempt must see cancelled: the previous attempt's own, or, if that attempt never got one
    /// (Stripe refused its cancel or its create), the one it was itself to cancel, which may still be open.
    /// </summary>
    private static string? StillOpenIntent(PaymentAttempt? previous) => previous?.PaymentIntentId ?? previous?.ReplacesPaymentIntentId;

    /// <summary>
    /// The payment id is Stripe's idempotency key too. With the client's Idempotency-Key it is derived from it, scoped
    /// to this user and invoice, so a retried request maps to the same payment and two clients' keys never collide.
    /// </summary>
    public static string PaymentIdFor(string userId, string invoiceId, string? idempotencyKey) =>
        idempotencyKey is null
            ? "pay_" + Guid.CreateVersion7().ToString("N")
            : "pay_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{userId}\n{invoiceId}\n{idempotencyKey}")))[..32];
}
