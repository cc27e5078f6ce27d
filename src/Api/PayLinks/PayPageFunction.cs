using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.PayLinks;
using PayMyInvoice.Http;

namespace PayMyInvoice.Api.PayLinks;

/// <summary>
/// <c>GET /pay/{token}</c>, public: the payer's page for the invoice whose live link this is. Unknown, voided and
/// deleted links all get the same 404 page after the same single lookup.
/// </summary>
public sealed class PayPageFunction(IInvoiceStore store, TimeProvider time)
{
    public async Task<APIGatewayProxyResponse> GetAsync(HttpCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.PathParameter("token") is not { } token || !PayLinkKeys.IsWellFormed(token))
        {
            return PayPages.NotFound();
        }

        return await store.FindByPayLinkAsync(PayLinkKeys.HashOf(token), cancellationToken).ConfigureAwait(false) is { } invoice
            ? PayPages.Invoice(invoice, token, call.Query("checkout"), time.GetUtcNow())
            : PayPages.NotFound();
    }
}
