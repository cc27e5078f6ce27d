using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Idempotency;
using PayMyInvoice.Core.PayLinks;
using PayMyInvoice.Http;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Billing;

/// <summary>
/// <c>POST /pay/{token}/checkout</c>, public: the pay page's Pay button. Answers 303 to Stripe's Checkout page, or back
/// to the pay page when there is nothing to pay; Stripe being unavailable is a 503 page (nothing charged, try again).
/// </summary>
public sealed class PayCheckoutFunction(CheckoutService checkout, PayLinkKeys payLinks)
{
    public async Task<APIGatewayProxyResponse> PostAsync(HttpCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.PathParameter("token") is not { } token || !PayLinkKeys.IsWellFormed(token))
        {
            return PayPages.NotFound();
        }

        var page = payLinks.PageFor(token);
        try
        {
            var start = await checkout.StartAsync(token, page, call.Context.Deadline, cancellationToken).ConfigureAwait(false);
            return start.Kind switch
            {
                CheckoutStartKind.Redirect => PayPages.SeeOther(start.Url!),
                CheckoutStartKind.BackToPage => PayPages.SeeOther(page),
                _ => PayPages.NotFound(),
            };
        }
        catch (RetryLaterException error)
        {
            call.Context.Logger.LogWarning($"no Checkout Session could be made now: {error.Message}");
            return PayPages.Unavailable();
        }
        catch (ProviderRefusedException error)
        {
            StripeRefusals.Log(call.Context.Logger, error.Error, "the payer could not start a Checkout Session", []);
            return PayPages.Unavailable();
        }
    }
}
