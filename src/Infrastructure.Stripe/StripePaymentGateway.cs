using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Idempotency;
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
/// left before the invocation's deadline minus <see cref="RecordingReserve"/>.
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
        var key = settings(SecretKeyVariable) ?? throw new InvalidOperationException($"{SecretKeyVariable} is not set.");
        var timeout = settings(TimeoutVariable) is { } seconds
            ? TimeSpan.FromSeconds(double.Parse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture))
            : DefaultCallTimeout;

        // No client-wide timeout: each call's own token carries it (see ChargeAsync), so it can shrink to the time left.
        var http = new SystemNetHttpClient(new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, maxNetworkRetries: 2);
        return new StripePaymentGateway(new StripeClient(key, httpClient: http, apiBase: settings(ApiBaseVariable)), timeout, TimeProvider.System);
    }

    public async Task<ChargeResult> ChargeAsync(ChargeRequest request, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var left = deadline - RecordingReserve - time.GetUtcNow();
        var budget = left < callTimeout ? left : callTimeout;
        if (budget <= TimeSpan.Zero)
        {
            throw new RetryLaterException($"No time left for a Stripe call before the deadline; payment {request.PaymentId} will be retried.");
        }

        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        call.CancelAfter(budget);
        try
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
                call.Token).ConfigureAwait(false);
            return intent.Status switch
            {
                "succeeded" => new ChargeResult(ChargeStatus.Succeeded, intent.Id),
                "requires_action" => new ChargeResult(ChargeStatus.RequiresAction, intent.Id),
                _ => throw new RetryLaterException($"PaymentIntent {intent.Id} is {intent.Status}; its webhook will settle it."),
            };
        }
        catch (StripeException error) when (error.StripeError?.Type == "card_error")
        {
            return ChargeResult.Declined(error.StripeError.PaymentIntent?.Id, error.StripeError.DeclineCode ?? error.StripeError.Code);
        }
        catch (StripeException error) when (IsMissingPaymentMethod(error))
        {
            return ChargeResult.Declined(null, error.StripeError.Code); // only the payer can fix it: another card
        }
        catch (StripeException error) when (IsTransient(error))
        {
            throw new RetryLaterException($"Stripe is unavailable ({(int)error.HttpStatusCode} {error.StripeError?.Type}); the payment will be retried.", error);
        }
        catch (StripeException error)
        {
            return ChargeResult.FailedByProvider(error.StripeError?.PaymentIntent?.Id, Describe(error));
        }
        catch (HttpRequestException error)
        {
            throw new RetryLaterException("Stripe could not be reached; the payment will be retried.", error);
        }
        catch (OperationCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            // Our own call timeout, not the invocation's deadline: this payment alone is retried later.
            throw new RetryLaterException($"Stripe did not answer within {budget.TotalSeconds:0.#} s; the payment will be retried.", error);
        }
    }

    private static bool IsMissingPaymentMethod(StripeException error) =>
        error.StripeError is { Type: "invalid_request_error", Code: "resource_missing", Param: "payment_method" };

    private static bool IsTransient(StripeException error) =>
        error.HttpStatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict
        || (int)error.HttpStatusCode >= 500
        || error.StripeError?.Type is "api_error" or "rate_limit_error"
        || error.StripeError?.Code is "rate_limit" or "lock_timeout";

    private static ProviderError Describe(StripeException error) => new(
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
