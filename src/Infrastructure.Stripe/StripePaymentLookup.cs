using System.Net;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Idempotency;
using PayMyInvoice.Core.Invoices;
using Stripe;

namespace PayMyInvoice.Infrastructure.Stripe;

/// <summary>
/// The reconciler's questions to Stripe, with Stripe.net: retrieve the PaymentIntent when its id is known (strongly
/// consistent), else search PaymentIntents by <c>metadata['paymentId']</c> (eventually consistent: under a minute
/// normally, so a miss may be a payment made moments ago — <see cref="PaymentReconciler"/> only re-queues on a first
/// miss); and cancel an abandoned one. Each call gets at most the configured timeout and never more than the time
/// left before the deadline minus <see cref="StripePaymentGateway.RecordingReserve"/>. Rate limits, 5xx, network
/// failures and timeouts throw <see cref="RetryLaterException"/>; any other refusal <see cref="PaymentLookupException"/>,
/// whose message names Stripe's error type and code but never quotes Stripe's message (it can quote part of the key).
/// </summary>
public sealed class StripePaymentLookup(StripePaymentGateway gateway, TimeProvider time) : IPaymentLookup
{
    private readonly StripeClient stripe = gateway.Client;
    private readonly TimeSpan callTimeout = gateway.CallTimeout;

    /// <summary>The same key, base URL, timeout and HTTP client settings as the gateway, whose cancel it uses.</summary>
    public static StripePaymentLookup FromSettings(Func<string, string?> settings) =>
        new(StripePaymentGateway.FromSettings(settings), TimeProvider.System);

    public async Task<ProviderPayment> FindAsync(PaymentReference payment, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payment);

        if (payment.CheckoutSessionId is { } sessionId)
        {
            var session = await CallAsync(token => stripe.V1.Checkout.Sessions.GetAsync(sessionId, null, null, token), deadline, cancellationToken).ConfigureAwait(false);
            return (session.Status, session.PaymentStatus) switch
            {
                ("complete", "paid") => new ProviderPayment(ProviderPaymentStatus.Succeeded, session.PaymentIntentId, "complete"),
                ("expired", _) => new ProviderPayment(ProviderPaymentStatus.Abandoned, session.PaymentIntentId, "expired"),
                _ => new ProviderPayment(ProviderPaymentStatus.Pending, session.PaymentIntentId, $"{session.Status}/{session.PaymentStatus}"),
            };
        }

        if (payment.PaymentIntentId is { } id)
        {
            try
            {
                return Map(await CallAsync(token => stripe.V1.PaymentIntents.GetAsync(id, null, null, token), deadline, cancellationToken).ConfigureAwait(false));
            }
            catch (StripeException error) when (error.HttpStatusCode == HttpStatusCode.NotFound)
            {
                return ProviderPayment.NotFound;
            }
        }

        var found = await CallAsync(
            token => stripe.V1.PaymentIntents.SearchAsync(new PaymentIntentSearchOptions { Query = MetadataQuery("paymentId", payment.PaymentId), Limit = 10 }, null, token),
            deadline,
            cancellationToken).ConfigureAwait(false);

        // One PaymentIntent per payment id (it is the idempotency key); should there be more, a success wins, else the newest.
        var intent = found.Data.FirstOrDefault(i => i.Status == "succeeded") ?? found.Data.OrderByDescending(i => i.Created).FirstOrDefault();
        return intent is null ? ProviderPayment.NotFound : Map(intent);
    }

    /// <summary>The gateway's cancel (one way to cancel), answered as the PaymentIntent's state after it.</summary>
    public async Task<ProviderPayment> CancelAsync(string paymentIntentId, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var cancel = await gateway.CancelAsync(paymentIntentId, deadline, cancellationToken).ConfigureAwait(false);
        return cancel.Status switch
        {
            CancelStatus.Canceled => new ProviderPayment(ProviderPaymentStatus.Failed, paymentIntentId, "canceled", "canceled"),
            CancelStatus.AlreadySucceeded => new ProviderPayment(ProviderPaymentStatus.Succeeded, paymentIntentId, "succeeded"),
            _ => throw new PaymentLookupException($"Stripe refused to cancel {paymentIntentId} ({cancel.ProviderError?.HttpStatus} {cancel.ProviderError?.Type} {cancel.ProviderError?.Code}, request {cancel.ProviderError?.RequestId})."),
        };
    }

    /// <summary>Stripe's search query for one metadata value, with quotes and backslashes escaped as its query language requires.</summary>
    public static string MetadataQuery(string key, string value) =>
        $"metadata['{key}']:'{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}'";

    private static ProviderPayment Map(PaymentIntent intent) => new(
        intent.Status switch
        {
            "succeeded" => ProviderPaymentStatus.Succeeded,
            "requires_action" => ProviderPaymentStatus.RequiresAction,
            "requires_payment_method" or "canceled" => ProviderPaymentStatus.Failed,
            _ => ProviderPaymentStatus.Pending, // processing, requires_confirmation, requires_capture
        },
        intent.Id,
        intent.Status,
        intent.Status == "canceled" ? "canceled" : intent.LastPaymentError?.DeclineCode ?? intent.LastPaymentError?.Code)
    {
        ClientSecret = intent.Status == "requires_action" ? intent.ClientSecret : null,
        NextAction = intent.Status == "requires_action" && intent.NextAction is { } next
            ? new PaymentNextAction(next.Type, next.RedirectToUrl?.Url, next.RedirectToUrl?.ReturnUrl)
            : null,
    };

    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var left = deadline - StripePaymentGateway.RecordingReserve - time.GetUtcNow();
        var budget = left < callTimeout ? left : callTimeout;
        if (budget <= TimeSpan.Zero)
        {
            throw new RetryLaterException("No time left for a Stripe call before the deadline.");
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(budget);
        try
        {
            return await call(limit.Token).ConfigureAwait(false);
        }
        catch (StripeException error) when (error.HttpStatusCode == HttpStatusCode.NotFound)
        {
            throw;
        }
        catch (StripeException error) when (error.HttpStatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict || (int)error.HttpStatusCode >= 500)
        {
            throw new RetryLaterException($"Stripe is unavailable ({(int)error.HttpStatusCode} {error.StripeError?.Type}).", error);
        }
        catch (StripeException error)
        {
            throw new PaymentLookupException($"Stripe refused the request ({(int)error.HttpStatusCode} {error.StripeError?.Type} {error.StripeError?.Code}, request {error.StripeResponse?.RequestId}).", error);
        }
        catch (HttpRequestException error)
        {
            throw new RetryLaterException("Stripe could not be reached.", error);
        }
        catch (OperationCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RetryLaterException($"Stripe did not answer within {budget.TotalSeconds:0.#} s.", error);
        }
    }
}
