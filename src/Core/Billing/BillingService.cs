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
    /// <param name="deadline">The invocation's deadline: the claim lapses then (a worker that dies holding it frees it
    /// for the queue's next delivery), and the provider call gives up in time to record its outcome.</param>
    public async Task<BillingOutcome> ChargeAsync(string userId, string invoiceId, string paymentId, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var invoice = await store.GetAsync(userId, invoiceId, cancellationToken).ConfigureAwait(false);
        if (invoice?.Payment?.PaymentId != paymentId || invoice.Status != InvoiceStatus.Processing)
        {
            return new BillingOutcome(BillingResult.NothingToDo); // a stale or repeated request: this payment is no longer waiting
        }

        if (invoice.Payment.PaymentMethodId is not { } paymentMethodId)
        {
            return new BillingOutcome(BillingResult.NothingToDo); // a Checkout payment: Stripe's page charges, its webhook settles
        }

        var request = new ChargeRequest(paymentId, userId, invoiceId, invoice.Details.Amount, invoice.Details.Currency, paymentMethodId);
        ChargeResult? charge = null;
        var claim = await idempotency.RunOnceAsync("billing#" + paymentId, Hash(request), deadline, async () =>
        {
            charge = await gateway.ChargeAsync(request, deadline, cancellationToken).ConfigureAwait(false);
            await outcomes.RecordAsync(userId, invoiceId, paymentId, charge, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return claim switch
        {
            IdempotencyClaim.Claimed => new BillingOutcome(BillingResult.Settled, charge),
            IdempotencyClaim.PayloadMismatch => new BillingOutcome(BillingResult.Refused),
            _ => new BillingOutcome(BillingResult.NothingToDo),
        };
    }

    private static string Hash(ChargeRequest request) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Join('\n', request.InvoiceId, request.Amount.ToString(CultureInfo.InvariantCulture), request.Currency, request.PaymentMethodId))));
}

/// <summary>What became of a billing request; <see cref="Charge"/> is the provider's answer when a charge was tried.</summary>
public sealed record BillingOutcome(BillingResult Result, ChargeResult? Charge = null);

public enum BillingResult
{
    Settled,
    NothingToDo,

    /// <summary>The payment id was seen with different terms: charging again could charge the wrong amount.</summary>
    Refused,
}
