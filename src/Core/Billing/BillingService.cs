using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PayMyInvoice.Core.Idempotency;
using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.Core.Billing;

/// <summary>
/// Charges a requested payment exactly once however often the request arrives: an idempotency claim per payment id,
/// the payment id as the provider's idempotency key, and an outcome recorded only while the invoice still carries it.
/// </summary>
public sealed class BillingService(IInvoiceStore store, IPaymentGateway gateway, IIdempotencyStore idempotency, PaymentOutcomes outcomes)
{
    /// <summary>Longer than a charge can take; a worker that dies holding the claim frees it after this.</summary>
    public static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(2);

    public async Task<BillingResult> ChargeAsync(string userId, string invoiceId, string paymentId, CancellationToken cancellationToken)
    {
        var invoice = await store.GetAsync(userId, invoiceId, cancellationToken).ConfigureAwait(false);
        if (invoice?.Payment?.PaymentId != paymentId || invoice.Status != InvoiceStatus.Processing)
        {
            return BillingResult.NothingToDo; // a stale or repeated request: this payment is no longer waiting
        }

        var request = new ChargeRequest(paymentId, userId, invoiceId, invoice.Details.Amount, invoice.Details.Currency, invoice.Payment.PaymentMethodId);
        var claim = await idempotency.RunOnceAsync("billing#" + paymentId, Hash(request), ClaimFor, async () =>
        {
            var result = await gateway.ChargeAsync(request, cancellationToken).ConfigureAwait(false);
            await outcomes.RecordAsync(userId, invoiceId, paymentId, result, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return claim switch
        {
            IdempotencyClaim.Claimed => BillingResult.Settled,
            IdempotencyClaim.PayloadMismatch => BillingResult.Refused,
            _ => BillingResult.NothingToDo,
        };
    }

    private static string Hash(ChargeRequest request) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Join('\n', request.InvoiceId, request.Amount.ToString(CultureInfo.InvariantCulture), request.Currency, request.PaymentMethodId))));
}

public enum BillingResult
{
    Settled,
    NothingToDo,

    /// <summary>The payment id was seen with different terms: charging again could charge the wrong amount.</summary>
    Refused,
}
