using System.Net;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Idempotency;
using Stripe;

namespace PayMyInvoice.Infrastructure.Stripe;

/// <summary>
/// Creates and confirms a PaymentIntent with Stripe.net, idempotency key = our payment id, so a retried Lambda asks
/// Stripe the same question and gets the first answer back. Card errors are final; Stripe 5xx, 429, timeouts and
/// network failures are transient and leave the message on the queue.
/// </summary>
public sealed class StripePaymentGateway(StripeClient stripe) : IPaymentGateway
{
    public const string SecretKeyVariable = "STRIPE_SECRET_KEY";
    public const string ApiBaseVariable = "STRIPE_API_BASE";

    public static StripePaymentGateway FromSettings(Func<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var key = settings(SecretKeyVariable) ?? throw new InvalidOperationException($"{SecretKeyVariable} is not set.");
        var http = new SystemNetHttpClient(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, maxNetworkRetries: 2);
        return new StripePaymentGateway(new StripeClient(key, httpClient: http, apiBase: settings(ApiBaseVariable)));
    }

    public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
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
                cancellationToken).ConfigureAwait(false);
            return intent.Status switch
            {
                "succeeded" => new ChargeResult(ChargeStatus.Succeeded, intent.Id),
                "requires_action" => new ChargeResult(ChargeStatus.RequiresAction, intent.Id),
                _ => throw new RetryLaterException($"PaymentIntent {intent.Id} is {intent.Status}; its webhook will settle it."),
            };
        }
        catch (StripeException error) when (error.StripeError?.Type == "card_error")
        {
            return new ChargeResult(ChargeStatus.Declined, error.StripeError.PaymentIntent?.Id, error.StripeError.DeclineCode ?? error.StripeError.Code, error.StripeError.Message);
        }
        catch (StripeException error) when (IsTransient(error))
        {
            throw new RetryLaterException($"Stripe is unavailable ({(int)error.HttpStatusCode}); the payment will be retried.", error);
        }
        catch (StripeException error) when (error.StripeError?.Type == "invalid_request_error")
        {
            // e.g. a payment method that does not exist: only the payer can fix it.
            return new ChargeResult(ChargeStatus.Declined, null, error.StripeError.Code ?? "invalid_request", error.StripeError.Message);
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new RetryLaterException("Stripe did not answer in time; the payment will be retried.", error);
        }
    }

    private static bool IsTransient(StripeException error) =>
        error.HttpStatusCode is HttpStatusCode.TooManyRequests || (int)error.HttpStatusCode >= 500 || error.StripeError?.Type == "api_error";
}
