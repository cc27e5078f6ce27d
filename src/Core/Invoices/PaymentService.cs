using System.Security.Cryptography;
using System.Text;

namespace PayMyInvoice.Core.Invoices;

/// <summary>
/// Asking for payment and voiding: one conditional write each. Paying moves an invoice open|payment_failed →
/// processing and records a payment id; the stream turns that into PaymentRequested for the billing worker.
/// </summary>
public sealed class PaymentService(IInvoiceStore store, TimeProvider time)
{
    public const int MaxIdempotencyKeyLength = 255;

    public async Task<Result<Invoice>> PayAsync(string userId, string? invoiceId, string? paymentMethodId, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        if (Billing.PaymentMethods.Check(paymentMethodId) is { } paymentMethodError)
        {
            errors.Add(paymentMethodError);
        }

        if (idempotencyKey is { } key && (key.Length is 0 or > MaxIdempotencyKeyLength))
        {
            errors.Add(new FieldError("Idempotency-Key", "invalid_format", $"The header must be 1 to {MaxIdempotencyKeyLength} characters."));
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        if (!InvoiceIds.IsWellFormed(invoiceId) || await store.GetAsync(userId, invoiceId!, cancellationToken).ConfigureAwait(false) is not { } current)
        {
            return Failure.NotFound("The invoice");
        }

        var paymentId = PaymentIdFor(userId, current.InvoiceId, idempotencyKey);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (current.Payment?.PaymentId == paymentId && current.Status != InvoiceStatus.Open)
            {
                return current; // the same request again: the same answer
            }

            if (current.Status is InvoiceStatus.Processing or InvoiceStatus.RequiresAction)
            {
                return Failure.Conflict("payment_in_progress", "A payment for this invoice is already under way.");
            }

            if (!InvoiceLifecycle.CanMove(current.Status, InvoiceStatus.Processing))
            {
                return Failure.Conflict("invalid_transition", $"An invoice that is {current.Status.ToName()} cannot be paid.");
            }

            var paying = current with
            {
                Status = InvoiceStatus.Processing,
                Payment = new PaymentAttempt(paymentId, paymentMethodId!),
                Version = current.Version + 1,
                UpdatedAt = time.GetUtcNow(),
            };
            if (await store.TryReplaceAsync(paying, current.Version, cancellationToken).ConfigureAwait(false))
            {
                return paying;
            }

            // Someone else wrote first: if it was this very request (same key), answer as it did; else re-judge once.
            if (await store.GetAsync(userId, current.InvoiceId, cancellationToken).ConfigureAwait(false) is not { } latest)
            {
                return Failure.NotFound("The invoice");
            }

            current = latest;
        }

        return Failure.Conflict("version_conflict", "The invoice changed while this request ran; read it again and retry.");
    }

    public async Task<Result<Invoice>> VoidAsync(string userId, string? invoiceId, CancellationToken cancellationToken)
    {
        if (!InvoiceIds.IsWellFormed(invoiceId) || await store.GetAsync(userId, invoiceId!, cancellationToken).ConfigureAwait(false) is not { } current)
        {
            return Failure.NotFound("The invoice");
        }

        if (!InvoiceLifecycle.CanMove(current.Status, InvoiceStatus.Void))
        {
            return Failure.Conflict("invalid_transition", $"An invoice that is {current.Status.ToName()} cannot be voided.");
        }

        var voided = current with { Status = InvoiceStatus.Void, Version = current.Version + 1, UpdatedAt = time.GetUtcNow() };
        return await store.TryReplaceAsync(voided, current.Version, cancellationToken).ConfigureAwait(false)
            ? voided
            : Failure.Conflict("version_conflict", "The invoice changed while this request ran; read it again and retry.");
    }

    /// <summary>
    /// The payment id is Stripe's idempotency key too. With the client's Idempotency-Key it is derived from it, scoped
    /// to this user and invoice, so a retried request maps to the same payment and two clients' keys never collide.
    /// </summary>
    public static string PaymentIdFor(string userId, string invoiceId, string? idempotencyKey) =>
        idempotencyKey is null
            ? "pay_" + Guid.CreateVersion7().ToString("N")
            : "pay_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{userId}\n{invoiceId}\n{idempotencyKey}")))[..32];
}
