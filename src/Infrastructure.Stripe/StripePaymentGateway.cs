using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Idempotency;
using PayMyInvoice.Core.Invoices;
using Stripe;

namespace PayMyInvoice.Infrastructure.Stripe;

/// <summary>
/// Creates and confirms a PaymentIntent with Stripe.net, idempotency key = our payment id, so a retried Lambda asks
/// Stripe the same question and gets the first answer back. Stripe's errors mean what Stripe documents:
/// <list type="bullet">
/// <item><c>card_error</c>, or a payment method that does not exist: declined — the payer can fix it.</item>
/// <item><c>rate_limit_error</c>/429, <c>api_error</c>/5xx, 409, network failures and timeouts: transient, the message
/// goes back to the queue (<see cref="RetryLaterException"/>).</item>
/// <item>Everything else (<c>authentication_error</c>/401, <c>permission_error</c>/403, <c>idempotency_error</c>,
/// any other <c>invalid_request_error</c>): Stripe refused our request, so retrying cannot help and the payer cannot
/// fix it — <see cref="ChargeStatus.Failed"/> with <c>processing_error</c>, and the details for operators.</item>
/// </list>
/// Each call, Stripe.net's own retries included, gets at most the configured timeout and never more than the time
/// left before the invocation's deadline minus <see cref="RecordingReserve"/>. The same classes apply to cancelling a
/// PaymentIntent (one that already succeeded or was cancelled is an answer, not an error) and to refunds.
/// </summary>
public sealed partial class StripePaymentGateway(StripeClient stripe, TimeSpan callTimeout, TimeProvider time) : IPaymentGateway
{
    public const string SecretKeyVariable = "STRIPE_SECRET_KEY";
    public const string ApiBaseVariable = "STRIPE_API_BASE";

    /// <summary>Optional: the longest a Stripe call may take, in seconds (default 10).</summary>
    public const string TimeoutVariable = "STRIPE_TIMEOUT_SECONDS";

    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Kept free after a call, before the deadline, to record its outcome and complete or give back the claim.</summary>
    public static readonly TimeSpan RecordingReserve = TimeSpan.FromSeconds(2);

    public TimeSpan CallTimeout => callTimeout;

    /// <summary>The configured client, for the other Stripe adapters of this project (<see cref="StripePaymentLookup"/>).</summary>
    internal StripeClient Client => stripe;

    public static StripePaymentGateway FromSettings(Func<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new StripePaymentGateway(ClientFromSettings(settings), CallTimeoutFromSettings(settings), TimeProvider.System);
    }

    /// <summary>The Stripe.net client for <see cref="SecretKeyVariable"/> (and <see cref="ApiBaseVariable"/>, the emulator's, locally).</summary>
    internal static StripeClient ClientFromSettings(Func<string, string?> settings)
    {
        var key = settings(SecretKeyVariable) ?? throw new InvalidOperationException($"{SecretKeyVariable} is not set.");

        // No client-wide timeout: each call's own token carries it (see ChargeAsync), so it can shrink to the time left.
        var http = new SystemNetHttpClient(new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, maxNetworkRetries: 2);
        return new StripeClient(key, httpClient: http, apiBase: settings(ApiBaseVariable));
    }

    internal static TimeSpan CallTimeoutFromSettings(Func<string, string?> settings) =>
        settings(TimeoutVariable) is { } seconds
            ? TimeSpan.FromSeconds(double.Parse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture))
            : DefaultCallTimeout;

    public Task<ChargeResult> ChargeAsync(ChargeRequest request, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CallAsync($"payment {request.PaymentId}", deadline, async token =>
        {
            var intent = await stripe.V1.PaymentIntents.CreateAsync(
                new PaymentIntentCreateOptions
                {
                    Amount = request.Amount,
                    Currency = request.Currency.ToLowerInvariant(),
                    PaymentMethod = request.PaymentMethodId,
                    Confirm = true,
                    AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true, AllowRedirects = "never" },
                    Metadata = new Dictionary<string, string>
                    {
                        ["invoiceId"] = request.InvoiceId,
                        ["userId"] = request.UserId,
                        ["paymentId"] = request.PaymentId,
                    },
                },
                new RequestOptions { IdempotencyKey = request.PaymentId },
                token).ConfigureAwait(false);
            return intent.Status switch
            {
                "succeeded" => new ChargeResult(ChargeStatus.Succeeded, intent.Id),
                "requires_action" => new ChargeResult(ChargeStatus.RequiresAction, intent.Id)
                {
                    ClientSecret = intent.ClientSecret,
                    NextAction = intent.NextAction is { } next
                        ? new PaymentNextAction(next.Type, next.RedirectToUrl?.Url, next.RedirectToUrl?.ReturnUrl)
                        : null,
                },
                _ => throw new RetryLaterException($"PaymentIntent {intent.Id} is {intent.Status}; its webhook will settle it."),
            };
        }, error => error switch
        {
            { StripeError.Type: "card_error" } => ChargeResult.Declined(error.StripeError.PaymentIntent?.Id, error.StripeError.DeclineCode ?? error.StripeError.Code),
            _ when IsMissingPaymentMethod(error) => ChargeResult.Declined(null, error.StripeError.Code), // only the payer can fix it: another card
            _ => ChargeResult.FailedByProvider(error.StripeError?.PaymentIntent?.Id, Describe(error)),
        }, cancellationToken);
    }

    /// <summary>
    /// <c>POST /v1/payment_intents/{id}/cancel</c> (<c>cancellation_reason=abandoned</c>). Stripe answers a status it
    /// cannot cancel with <c>payment_intent_unexpected_state</c> and the intent in the error; <c>succeeded</c> means the
    /// payer paid first, <c>canceled</c> that an earlier try got through. No idempotency key of ours: cancelling is
    /// idempotent in effect, and a repeated cancel is read by the intent's status.
    /// </summary>
    public Task<CancelResult> CancelAsync(string paymentIntentId, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        CallAsync($"cancelling {paymentIntentId}", deadline, async token =>
        {
            string status;
            try
            {
                status = (await stripe.V1.PaymentIntents.CancelAsync(paymentIntentId, new PaymentIntentCancelOptions { CancellationReason = "abandoned" }, null, token).ConfigureAwait(false)).Status;
            }
            catch (StripeException error) when (error.StripeError?.Code == "payment_intent_unexpected_state")
            {
                status = error.StripeError.PaymentIntent?.Status
                    ?? (await stripe.V1.PaymentIntents.GetAsync(paymentIntentId, null, null, token).ConfigureAwait(false)).Status;
            }

            return status switch
            {
                "canceled" => new CancelResult(CancelStatus.Canceled, paymentIntentId),
                "succeeded" => new CancelResult(CancelStatus.AlreadySucceeded, paymentIntentId),
                _ => throw new RetryLaterException($"PaymentIntent {paymentIntentId} is {status} and could not be cancelled now; asking again later."),
            };
        }, error => error.StripeError is { Type: "invalid_request_error", Code: "resource_missing" }
            ? new CancelResult(CancelStatus.Canceled, paymentIntentId) // no such intent: nothing that could take money
            : new CancelResult(CancelStatus.Refused, paymentIntentId, Describe(error)), cancellationToken);

    /// <summary>
    /// <c>POST /v1/refunds</c> for the whole of a succeeded PaymentIntent, idempotency key <c>refund-{intent id}</c>, so
    /// it is refunded once however often it is asked. One already refunded in full (after the key expired) counts as done.
    /// </summary>
    public Task<RefundResult> RefundAsync(string paymentIntentId, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        CallAsync($"refunding {paymentIntentId}", deadline, async token =>
        {
            var refund = await stripe.V1.Refunds.CreateAsync(
                new RefundCreateOptions { PaymentIntent = paymentIntentId },
                new RequestOptions { IdempotencyKey = "refund-" + paymentIntentId },
                token).ConfigureAwait(false);
            return new RefundResult(refund.Id, refund.Status, refund.Amount, refund.Currency);
        }, error => error.StripeError?.Code == "charge_already_refunded"
            ? new RefundResult("", "succeeded", 0, "")
            : throw new ProviderRefusedException(Describe(error), $"Stripe refused to refund PaymentIntent {paymentIntentId}."), cancellationToken);

    /// <summary>
    /// One Stripe call within its budget (the call timeout, never past the deadline minus <see cref="RecordingReserve"/>).
    /// Transient failures throw <see cref="RetryLaterException"/>; Stripe's other refusals are <paramref name="refused"/>'s to read.
    /// </summary>
    internal async Task<T> CallAsync<T>(string what, DateTimeOffset deadline, Func<CancellationToken, Task<T>> call, Func<StripeException, T> refused, CancellationToken cancellationToken)
    {
        var left = deadline - RecordingReserve - time.GetUtcNow();
        var budget = left < callTimeout ? left : callTimeout;
        if (budget <= TimeSpan.Zero)
        {
            throw new RetryLaterException($"No time left for a Stripe call before the deadline; {what} will be retried.");
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(budget);
        try
        {
            return await call(limit.Token).ConfigureAwait(false);
        }
        catch (StripeException error) when (IsTransient(error))
        {
            throw new RetryLaterException($"Stripe is unavailable ({(int)error.HttpStatusCode} {error.StripeError?.Type}); {what} will be retried.", error);
        }
        catch (StripeException error)
        {
            return refused(error);
        }
        catch (HttpRequestException error)
        {
            throw new RetryLaterException($"Stripe could not be reached; {what} will be retried.", error);
        }
        catch (OperationCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            // Our own call timeout, not the invocation's deadline: this work alone is retried later.
            throw new RetryLaterException($"Stripe did not answer within {budget.TotalSeconds:0.#} s; {what} will be retried.", error);
        }
    }

    private static bool IsMissingPaymentMethod(StripeException error) =>
        error.StripeError is { Type: "invalid_request_error", Code: "resource_missing", Param: "payment_method" };

    internal static bool IsTransient(StripeException error) =>
        error.HttpStatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict
        || (int)error.HttpStatusCode >= 500
        || error.StripeError?.Type is "api_error" or "rate_limit_error"
        || error.StripeError?.Code is "rate_limit" or "lock_timeout";

    internal static ProviderError Describe(StripeException error) => new(
        error.StripeError?.Type ?? "unknown",
        (int)error.HttpStatusCode,
        error.StripeError?.Code,
        error.StripeError?.Param,
        error.StripeResponse?.RequestId,
        error.StripeError?.Message is { } message ? ApiKey().Replace(message, "[redacted key]") : null);

    /// <summary>Anything shaped like a Stripe key (<c>sk_live_…</c>, <c>rk_test_…</c>, masked ones too).</summary>
    [GeneratedRegex(@"\b(sk|rk|pk)_(live|test)_[A-Za-z0-9*]*", RegexOptions.CultureInvariant)]
    private static partial Regex ApiKey();
}
