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
public sealed class StripeCheckoutGateway(StripePaymentGateway gateway) : ICheckoutGateway
{
    /// <summary>The gateway's client and its one way of making a Stripe call (budget, transient errors, timeouts).</summary>
    public static StripeCheckoutGateway FromSettings(Func<string, string?> settings) => new(StripePaymentGateway.FromSettings(settings));

    public async Task<CheckoutSessionRef> CreateSessionAsync(CheckoutRequest request, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        var metadata = new Dictionary<string, string>
        {
            ["invoiceId"] = request.InvoiceId,
            ["userId"] = request.UserId,
            ["paymentId"] = request.PaymentId,
        };

        // The payer is waiting: the call is bounded by the invocation's deadline, so they always get an answer (a 503 page).
        var session = await gateway.CallAsync(
            "the Checkout Session",
            deadline,
            token => gateway.Client.V1.Checkout.Sessions.CreateAsync(
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
                token),
            error => throw new ProviderRefusedException(StripePaymentGateway.Describe(error), "Stripe refused to create the Checkout Session."),
            cancellationToken).ConfigureAwait(false);
        return new CheckoutSessionRef(session.Id, session.Url, new DateTimeOffset(session.ExpiresAt, TimeSpan.Zero));
    }
}
