using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Idempotency;
using PayMyInvoice.Core.Invoices;
using Stripe;
using Stripe.Checkout;

namespace PayMyInvoice.Infrastructure.Stripe;

/// <summary>
/// Checkout Sessions with Stripe.net, for the pay link: mode payment, one line priced from the stored invoice, our
/// payment id in the session's metadata and <c>client_reference_id</c> (its webhooks settle the invoice by it). The
/// PaymentIntent Checkout makes carries the invoice but not the payment id, on purpose: a card declined on Stripe's
/// page can be retried there in the same session, so only the session's own events decide the invoice.
/// </summary>
public sealed class StripeCheckoutGateway(StripeClient stripe, TimeSpan callTimeout, TimeProvider time) : ICheckoutGateway
{
    public static StripeCheckoutGateway FromSettings(Func<string, string?> settings) =>
        new(StripePaymentGateway.ClientFromSettings(settings), StripePaymentGateway.CallTimeoutFromSettings(settings), TimeProvider.System);

    public async Task<CheckoutSessionRef> CreateSessionAsync(CheckoutRequest request, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // The payer is waiting: at most one call's timeout, and always in time to answer them (a 503 page) before the deadline.
        var left = deadline - StripePaymentGateway.RecordingReserve - time.GetUtcNow();
        var budget = left < callTimeout ? left : callTimeout;
        if (budget <= TimeSpan.Zero)
        {
            throw new RetryLaterException("No time left for a Stripe call before the deadline.");
        }

        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        call.CancelAfter(budget);
        var metadata = new Dictionary<string, string>
        {
            ["invoiceId"] = request.InvoiceId,
            ["userId"] = request.UserId,
            ["paymentId"] = request.PaymentId,
        };
        try
        {
            var session = await stripe.V1.Checkout.Sessions.CreateAsync(
                new SessionCreateOptions
                {
                    Mode = "payment",
                    LineItems =
                    [
                        new SessionLineItemOptions
                        {
                            Quantity = 1,
                            PriceData = new SessionLineItemPriceDataOptions
                            {
                                Currency = request.Currency.ToLowerInvariant(),
                                UnitAmount = request.Amount,
                                ProductData = new SessionLineItemPriceDataProductDataOptions { Name = request.Description },
                            },
                        },
                    ],
                    ClientReferenceId = request.PaymentId,
                    Metadata = metadata,
                    PaymentIntentData = new SessionPaymentIntentDataOptions
                    {
                        Metadata = new Dictionary<string, string> { ["invoiceId"] = request.InvoiceId, ["userId"] = request.UserId },
                    },
                    CustomerEmail = request.PayerEmail,
                    SuccessUrl = request.SuccessUrl.AbsoluteUri,
                    CancelUrl = request.CancelUrl.AbsoluteUri,
                    ExpiresAt = request.ExpiresAt.UtcDateTime,
                },
                new RequestOptions { IdempotencyKey = request.IdempotencyKey },
                call.Token).ConfigureAwait(false);
            return new CheckoutSessionRef(session.Id, session.Url, new DateTimeOffset(session.ExpiresAt, TimeSpan.Zero));
        }
        catch (StripeException error) when (StripePaymentGateway.IsTransient(error))
        {
            throw new RetryLaterException($"Stripe is unavailable ({(int)error.HttpStatusCode} {error.StripeError?.Type}).", error);
        }
        catch (StripeException error)
        {
            throw new ProviderRefusedException(StripePaymentGateway.Describe(error), "Stripe refused to create the Checkout Session.");
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
