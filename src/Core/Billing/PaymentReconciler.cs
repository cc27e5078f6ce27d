using System.Globalization;
using System.Runtime.CompilerServices;
using PayMyInvoice.Core.Idempotency;
using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.Core.Billing;

/// <summary>
/// Nothing stays undecided: the scheduled run that settles invoices left awaiting a payment (a billing message in the
/// dead-letter queue, a refused billing request, a lost stream record or webhook). It reads the sparse index of
/// invoices in processing or requires_action, oldest first, and for each one older than its threshold asks Stripe:
/// <list type="bullet">
/// <item>succeeded → paid; requires_payment_method or canceled → payment_failed with our sentence for Stripe's code;
/// requires_action → requires_action (the payer's clock starts) — all through <see cref="PaymentOutcomes"/>, so only
/// while the invoice still carries that payment and only forwards.</item>
/// <item>Stripe never saw the payment (processing) → re-queued once: a mark on the invoice that the stream turns into
/// PaymentRequested again (the payment id is Stripe's idempotency key, so this never charges twice) and that restarts
/// the clock. If it is still undecided a full threshold later, it is failed with <c>processing_error</c>.</item>
/// <item>requires_action past <see cref="ReconcileSettings.RequiresActionAfter"/> → the PaymentIntent is cancelled
/// and the invoice fails with <c>action_expired</c> (if the payer completed it meanwhile, that wins).</item>
/// <item>Still moving at Stripe (<c>processing</c>) → left for its webhook.</item>
/// </list>
/// A Stripe search is eventually consistent (normally under a minute): a payment it misses is only re-queued, which is
/// safe, and failed only after a second miss a threshold later. A Stripe or table error leaves that invoice for the next
/// run; so does everything not started when less than <see cref="Reserve"/> is left before the deadline.
/// </summary>
public sealed class PaymentReconciler(IInvoiceStore store, IPaymentLookup lookup, PaymentOutcomes outcomes, ReconcileSettings settings, TimeProvider time)
{
    /// <summary>No invoice is started with less time left: a search or retrieve, a cancel, two table writes.</summary>
    public static readonly TimeSpan Reserve = TimeSpan.FromSeconds(10);

    /// <summary>One decision per invoice examined, as they are made; a last <see cref="ReconcileAction.Stopped"/> when the deadline is near.</summary>
    public async IAsyncEnumerable<ReconcileDecision> RunAsync(DateTimeOffset deadline, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var status in new[] { InvoiceStatus.Processing, InvoiceStatus.RequiresAction })
        {
            await foreach (var (userId, invoiceId) in store.ListPendingAsync(status, now - settings.ThresholdFor(status), cancellationToken).ConfigureAwait(false))
            {
                var left = deadline - time.GetUtcNow();
                if (cancellationToken.IsCancellationRequested || left < Reserve)
                {
                    yield return new ReconcileDecision(userId, invoiceId, null, ReconcileAction.Stopped,
                        $"not started with {left.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s left before the deadline; it and the rest are left for the next run");
                    yield break;
                }

                yield return await ReconcileAsync(userId, invoiceId, deadline, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Decides one invoice; never throws for its own failures (they are an <see cref="ReconcileAction.Error"/> decision).</summary>
    public async Task<ReconcileDecision> ReconcileAsync(string userId, string invoiceId, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        string? paymentId = null;
        try
        {
            var invoice = await store.GetAsync(userId, invoiceId, cancellationToken).ConfigureAwait(false);
            if (invoice is not { Payment: { } payment } || !InvoiceLifecycle.IsAwaitingPayment(invoice.Status))
            {
                return new ReconcileDecision(userId, invoiceId, invoice?.Payment?.PaymentId, ReconcileAction.Left, "no longer awaiting a payment");
            }

            paymentId = payment.PaymentId;
            var since = invoice.PendingSince ?? invoice.UpdatedAt;
            if (time.GetUtcNow() - since < settings.ThresholdFor(invoice.Status))
            {
                return Decide(ReconcileAction.Left, "moved since the index was read; not due yet");
            }

            var found = await lookup.FindAsync(new PaymentReference(payment.PaymentId, payment.PaymentIntentId, payment.Checkout?.SessionId), deadline, cancellationToken).ConfigureAwait(false);
            return found.Status switch
            {
                ProviderPaymentStatus.Succeeded or ProviderPaymentStatus.Failed => await RecordAsync(ReconcileAction.Settled, Outcome(found), found),
                ProviderPaymentStatus.RequiresAction when invoice.Status == InvoiceStatus.Processing =>
                    await RecordAsync(
                        ReconcileAction.Settled,
                        new ChargeResult(ChargeStatus.RequiresAction, found.PaymentIntentId) { ClientSecret = found.ClientSecret, NextAction = found.NextAction },
                        found),
                ProviderPaymentStatus.RequiresAction => await ExpireAsync(found.PaymentIntentId!),
                ProviderPaymentStatus.Pending => Decide(ReconcileAction.Left, $"Stripe is still moving it ({found.RawStatus}); its webhook will settle it", found),
                ProviderPaymentStatus.Abandoned => await RecordAsync(ReconcileAction.Settled, new ChargeResult(ChargeStatus.Abandoned, found.PaymentIntentId), found, "its Checkout Session expired unpaid; payable again"),
                // Re-queueing asks the billing worker to charge again; a Checkout payment is Stripe's page's to charge.
                _ when invoice.Status == InvoiceStatus.Processing && payment.RequeuedAt is null && payment.Checkout is null => await RequeueAsync(),
                _ => await RecordAsync(
                    ReconcileAction.Failed,
                    new ChargeResult(ChargeStatus.Failed, payment.PaymentIntentId, PaymentFailureMessages.ProcessingError, PaymentFailureMessages.For(PaymentFailureMessages.ProcessingError)),
                    found,
                    payment.RequeuedAt is { } requeued ? $"Stripe never saw it, and it was re-queued at {requeued:O} already" : "Stripe does not know its PaymentIntent"),
            };

            async Task<ReconcileDecision> RecordAsync(ReconcileAction action, ChargeResult result, ProviderPayment? seen, string? why = null)
            {
                var written = await outcomes.RecordAsync(userId, invoiceId, payment.PaymentId, result, cancellationToken).ConfigureAwait(false);
                var what = $"{result.Status switch { ChargeStatus.Succeeded => "paid", ChargeStatus.RequiresAction => "requires_action", ChargeStatus.Abandoned => "open", _ => "payment_failed" }}{(result.FailureCode is { } code ? $" ({code})" : "")}";
                return written
                    ? Decide(action, why is null ? $"recorded {what}, as Stripe says" : $"{what}: {why}", seen, result.FailureCode)
                    : Decide(ReconcileAction.Left, $"{what} not recorded: the invoice moved on meanwhile", seen);
            }

            async Task<ReconcileDecision> ExpireAsync(string paymentIntentId)
            {
                var after = await lookup.CancelAsync(paymentIntentId, deadline, cancellationToken).ConfigureAwait(false);
                return after.Status switch
                {
                    ProviderPaymentStatus.Failed => await RecordAsync(
                        ReconcileAction.Failed,
                        ChargeResult.Declined(paymentIntentId, PaymentFailureMessages.ActionExpired),
                        after,
                        $"the payer did not complete the bank's confirmation within {settings.RequiresActionAfter.TotalHours.ToString("0.##", CultureInfo.InvariantCulture)} h; PaymentIntent cancelled"),
                    ProviderPaymentStatus.Succeeded => await RecordAsync(ReconcileAction.Settled, Outcome(after), after, "completed by the payer just before it was to be cancelled"),
                    _ => Decide(ReconcileAction.Left, $"could not be cancelled (Stripe: {after.RawStatus})", after),
                };
            }

            async Task<ReconcileDecision> RequeueAsync()
            {
                var at = time.GetUtcNow();
                var update = await store.UpdateAsync(userId, invoiceId, current =>
                    current.Status == InvoiceStatus.Processing && current.Payment is { RequeuedAt: null } attempt && attempt.PaymentId == payment.PaymentId
                        ? current with { PendingSince = at, Payment = attempt with { RequeuedAt = at } }
                        : current, time, cancellationToken).ConfigureAwait(false);
                return update.Written
                    ? Decide(ReconcileAction.Requeued, "Stripe never saw it: sent to the billing queue again (same idempotency key)", ProviderPayment.NotFound)
                    : Decide(ReconcileAction.Left, "not re-queued: the invoice moved on meanwhile", ProviderPayment.NotFound);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Decide(ReconcileAction.Error, $"left for the next run: {error.Message}") with { Error = error };
        }

        ReconcileDecision Decide(ReconcileAction action, string reason, ProviderPayment? seen = null, string? failureCode = null) =>
            new(userId, invoiceId, paymentId, action, reason) { PaymentIntentId = seen?.PaymentIntentId, ProviderStatus = seen?.RawStatus ?? (seen?.Status == ProviderPaymentStatus.NotFound ? "not_found" : null), FailureCode = failureCode };
    }

    /// <summary>Stripe's final answer as the billing worker would have recorded it: our sentence for its code, never its message.</summary>
    private static ChargeResult Outcome(ProviderPayment found) =>
        found.Status == ProviderPaymentStatus.Succeeded
            ? new ChargeResult(ChargeStatus.Succeeded, found.PaymentIntentId)
            : ChargeResult.Declined(found.PaymentIntentId, found.FailureCode);
}

/// <summary>
/// How long an invoice may await its payment before the reconciler asks Stripe. <see cref="ProcessingAfter"/> defaults to
/// the billing queue's whole redelivery (visibility 180 s × maxReceiveCount 5 = 15 min): by then a billing message has
/// settled the invoice or sits in the dead-letter queue. <see cref="RequiresActionAfter"/> (default 24 h) is the time a
/// payer has to complete the bank's confirmation.
/// </summary>
public sealed record ReconcileSettings(TimeSpan ProcessingAfter, TimeSpan RequiresActionAfter)
{
    public const string ProcessingAfterVariable = "RECONCILE_PROCESSING_AFTER_SECONDS";
    public const string RequiresActionAfterVariable = "RECONCILE_REQUIRES_ACTION_AFTER_SECONDS";

    public static ReconcileSettings Default { get; } = new(TimeSpan.FromSeconds(180 * 5), TimeSpan.FromHours(24));

    public TimeSpan ThresholdFor(InvoiceStatus status) => status == InvoiceStatus.RequiresAction ? RequiresActionAfter : ProcessingAfter;

    /// <summary>From the two settings (whole seconds, positive); a missing one takes its default.</summary>
    public static ReconcileSettings FromSettings(Func<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ReconcileSettings(
            Seconds(settings, ProcessingAfterVariable) ?? Default.ProcessingAfter,
            Seconds(settings, RequiresActionAfterVariable) ?? Default.RequiresActionAfter);
    }

    private static TimeSpan? Seconds(Func<string, string?> settings, string name) =>
        settings(name) is not { Length: > 0 } text ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds)
        : throw new FormatException($"{name} must be a positive whole number of seconds; '{text}' is not one.");
}

public enum ReconcileAction
{
    /// <summary>Stripe's outcome recorded (paid, payment_failed, or processing → requires_action).</summary>
    Settled,

    /// <summary>Sent to the billing queue again: Stripe never saw it.</summary>
    Requeued,

    /// <summary>Failed by us: <c>processing_error</c> after a re-queue did not help, or <c>action_expired</c>.</summary>
    Failed,

    /// <summary>Nothing to do now (settled meanwhile, or still moving at Stripe).</summary>
    Left,

    /// <summary>Stripe or the table failed for this invoice: the next run tries again.</summary>
    Error,

    /// <summary>Not started: the invocation's deadline is near; the next run goes on.</summary>
    Stopped,
}

/// <summary>What the reconciler did with one invoice, and why (for the log line).</summary>
public sealed record ReconcileDecision(string UserId, string InvoiceId, string? PaymentId, ReconcileAction Action, string Reason)
{
    public string? PaymentIntentId { get; init; }

    /// <summary>Stripe's status for the payment (<c>not_found</c> when it has none), when asked.</summary>
    public string? ProviderStatus { get; init; }

    public string? FailureCode { get; init; }

    public Exception? Error { get; init; }
}
