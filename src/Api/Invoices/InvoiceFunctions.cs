using System.Text.Json;
using PayMyInvoice.Http;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.PayLinks;

namespace PayMyInvoice.Api.Invoices;

/// <summary>The invoice HTTP functions: parse, one use case, map the result.</summary>
public sealed class InvoiceFunctions(InvoiceService invoices, IdempotentRequests idempotent, PayLinkKeys payLinks)
{
    public async Task<APIGatewayProxyResponse> CreateAsync(HttpCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!call.TryReadJson(ContractsJsonContext.Wire.InvoiceRequest, out var body, out var rejection))
        {
            return rejection;
        }

        return await idempotent.AnswerAsync(
            call,
            JsonSerializer.Serialize(body, ContractsJsonContext.Wire.InvoiceRequest),
            remember => invoices.CreateAsync(call.UserId, body.ToInput(), cancellationToken, remember),
            invoice => Created(invoice, call.Header(IdempotentRequests.KeyHeader) is null ? payLinks : null),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<APIGatewayProxyResponse> GetAsync(HttpCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var result = await invoices.GetAsync(call.UserId, call.PathParameter("id"), cancellationToken).ConfigureAwait(false);
        return result.Value is { } invoice
            ? ApiResponses.Json(200, invoice.ToResponse(payLinks), ContractsJsonContext.Wire.InvoiceResponse)
            : ApiResponses.From(result.Failure!);
    }

    public async Task<APIGatewayProxyResponse> ListAsync(HttpCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var result = await invoices.ListAsync(call.UserId, call.Query("limit"), call.Query("cursor"), call.Query("status"), cancellationToken).ConfigureAwait(false);
        return result.Value is { } page
            ? ApiResponses.Json(200, page.ToResponse(payLinks), ContractsJsonContext.Wire.InvoiceListResponse)
            : ApiResponses.From(result.Failure!);
    }

    public async Task<APIGatewayProxyResponse> UpdateAsync(HttpCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!call.TryReadJson(ContractsJsonContext.Wire.InvoiceRequest, out var body, out var rejection))
        {
            return rejection;
        }

        var result = await invoices.UpdateAsync(call.UserId, call.PathParameter("id"), body.ToInput(), cancellationToken).ConfigureAwait(false);
        return result.Value is { } invoice
            ? ApiResponses.Json(200, invoice.ToResponse(payLinks), ContractsJsonContext.Wire.InvoiceResponse)
            : ApiResponses.From(result.Failure!);
    }

    public async Task<APIGatewayProxyResponse> DeleteAsync(HttpCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var result = await invoices.DeleteAsync(call.UserId, call.PathParameter("id"), cancellationToken).ConfigureAwait(false);
        return result.IsSuccess ? ApiResponses.NoContent() : ApiResponses.From(result.Failure!);
    }

    /// <summary>
    /// With an Idempotency-Key the answer is remembered, so it leaves the pay link out (<paramref name="payLinks"/>
    /// null): its token is never stored. A replay is then the same answer; GET the invoice for its <c>payUrl</c>.
    /// </summary>
    private static APIGatewayProxyResponse Created(Invoice invoice, PayLinkKeys? payLinks) =>
        ApiResponses.Json(201, invoice.ToResponse(payLinks), ContractsJsonContext.Wire.InvoiceResponse, new() { ["Location"] = $"/invoices/{invoice.InvoiceId}" });
}
