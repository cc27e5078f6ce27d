using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PayMyInvoice.Core.Idempotency;
using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.Core.Billing;

/// <summary>
/// Charges a requested payment exactly once however often the request arrives: an idempotency claim per payment id,
/// the payment id as the provider's idempotency key, and an outcome recorded only while the invoice still carries it.
/// A payment that replaces another cancels the other's PaymentIntent first, and a void invoice's open PaymentIntents
/// are cancelled (or refunded, if the payer completed one first), so an invoice is never paid twice.
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
        var replaced = invoice.Payment.ReplacesPaymentIntentId;
        ChargeResult? charge = null;
        var paidByReplaced = false;
        var claim = await idempotency.RunOnceAsync("billing#" + paymentId, Hash(request), deadline, async () =>
        {
            if (replaced is not null)
            {
                // The attempt this one replaced must not take money any more: cancel its PaymentIntent first. Retried
                // (a transient failure throws) it is asked again, and an intent already cancelled counts as cancelled.
                var cancel = await gateway.CancelAsync(replaced, deadline, cancellationToken).ConfigureAwait(false);
                switch (cancel.Status)
                {
                    case CancelStatus.AlreadySucceeded:
                        // The payer completed the old intent before the cancel landed: the invoice is paid by it, and
                        // this attempt charges nothing.
                        paidByReplaced = true;
                        charge = new ChargeResult(ChargeStatus.Succeeded, replaced);
                        await outcomes.RecordAsync(userId, invoiceId, paymentId, charge, cancellationToken).ConfigureAwait(false);
                        return;
                    case CancelStatus.Refused:
                        // Charging now could charge twice (the old intent is still open): fail this attempt for operators.
                        charge = ChargeResult.FailedByProvider(null, cancel.ProviderError!);
                        await outcomes.RecordAsync(userId, invoiceId, paymentId, charge, cancellationToken).ConfigureAwait(false);
                        return;
                }
            }

            charge = await gateway.ChargeAsync(request, deadline, cancellationToken).ConfigureAwait(false);
            await outcomes.RecordAsync(userId, invoiceId, paymentId, charge, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return claim switch
        {
            IdempotencyClaim.Claimed => new BillingOutcome(BillingResult.Settled, charge) { PaidByReplacedIntent = paidByReplaced ? replaced : null },
            IdempotencyClaim.PayloadMismatch => new BillingOutcome(BillingResult.Refused),
            _ => new BillingOutcome(BillingResult.NothingToDo),
        };
    }

    /// <summary>
    /// After an invoice was voided: cancels the PaymentIntents its payment left open (<paramref name="paymentIntentIds"/>:
    /// the attempt's own, and the one it was to replace), once per invoice however often the event arrives. One the payer
    /// completed before the cancel landed took real money for a void invoice: it is refunded, and reported in
    /// <see cref="VoidOutcome.Refunds"/> for an error-level log. Stripe refusing a cancel (key, permissions) throws, so
    /// the message is retried and, if it keeps failing, reaches the dead-letter queue and its alarm.
    /// </summary>
    public async Task<VoidOutcome> CancelVoidedAsync(string invoiceId, IReadOnlyList<string> paymentIntentIds, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paymentIntentIds);
        if (paymentIntentIds.Count == 0)
        {
            return new VoidOutcome([], []);
        }

        var canceled = new List<string>();
        var refunds = new List<(string PaymentIntentId, RefundResult Refund)>();
        await idempotency.RunOnceAsync("void#" + invoiceId, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', paymentIntentIds)))), deadline, async () =>
        {
            foreach (var intent in paymentIntentIds)
            {
                var cancel = await gateway.CancelAsync(intent, deadline, cancellationToken).ConfigureAwait(false);
                switch (cancel.Status)
                {
                    case CancelStatus.Canceled:
                        canceled.Add(intent);
                        break;
                    case CancelStatus.AlreadySucceeded:
                        refunds.Add((intent, await gateway.RefundAsync(intent, deadline, cancellationToken).ConfigureAwait(false)));
                        break;
                    default:
                        throw new ProviderRefusedException(cancel.ProviderError!, $"Stripe refused to cancel PaymentIntent {intent} of void invoice {invoiceId}.");
                }
            }
        }, cancellationToken).ConfigureAwait(false);
        return new VoidOutcome(canceled, refunds);
    }

    private static string Hash(ChargeRequest request) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Join('\n', request.InvoiceId, request.Amount.ToString(CultureInfo.InvariantCulture), request.Currency, request.PaymentMethodId))));
}

/// <summary>What became of a billing request; <see cref="Charge"/> is the provider's answer when a charge was tried.</summary>
public sealed record BillingOutcome(BillingResult Result, ChargeResult? Charge = null)
{
    /// <summary>Set when nothing was charged because the payer completed the replaced PaymentIntent (this id) first.</summary>
    public string? PaidByReplacedIntent { get; init; }
}

/// <summary>What cancelling a void invoice's PaymentIntents did: those cancelled, and those refunded because they had succeeded.</summary>
public sealed record VoidOutcome(IReadOnlyList<string> Canceled, IReadOnlyList<(string PaymentIntentId, RefundResult Refund)> Refunds);

/// <summary>The provider refused a request of ours that must not be given up on (the work is retried, then dead-lettered).</summary>
public sealed class ProviderRefusedException(ProviderError error, string message) : Exception(message)
{
    public ProviderError Error { get; } = error;
}

public enum BillingResult
{
    Settled,
    NothingToDo,

    /// <summary>The payment id was seen with different terms: charging again could charge the wrong amount.</summary>
    Refused,
}
