using System.Text.Json;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Contracts.Http;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Http;

namespace PayMyInvoice.Api.Invoices;

/// <summary>Account fees: <c>POST /billing</c> asks for one (202, billed asynchronously), <c>GET /billing/{id}</c> reads it.</summary>
public sealed class FeeFunctions(FeeService fees, IdempotentRequests idempotent)
{
    public async Task<APIGatewayProxyResponse> BillAsync(HttpCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!call.TryReadJson(ContractsJsonContext.Wire.BillingRequest, out var body, out var rejection))
        {
            return rejection;
        }

        return await idempotent.AnswerAsync(
            call,
            JsonSerializer.Serialize(body, ContractsJsonContext.Wire.BillingRequest),
            remember => fees.BillAsync(call.UserId, body.TxnType, body.TxnQty, body.PaymentMethodId, cancellationToken, remember),
            fee => ApiResponses.Json(202, ToResponse(fee), ContractsJsonContext.Wire.BillingResponse, new() { ["Location"] = $"/billing/{fee.InvoiceId}" }),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<APIGatewayProxyResponse> GetAsync(HttpCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var result = await fees.GetAsync(call.UserId, call.PathParameter("id"), cancellationToken).ConfigureAwait(false);
        return result.Value is { } fee
            ? ApiResponses.Json(200, ToResponse(fee), ContractsJsonContext.Wire.BillingResponse)
            : ApiResponses.From(result.Failure!);
    }

    private static BillingResponse ToResponse(Invoice fee)
    {
        var line = fee.Details.LineItems[0];
        return new BillingResponse
        {
            BillingId = fee.InvoiceId,
            TxnType = line.Description,
            TxnQty = line.Quantity,
            Amount = fee.Details.Amount,
            Currency = fee.Details.Currency,
            Status = fee.Status.ToName(),
            Payment = fee.Payment!.ToDto(fee.Status),
            CreatedAt = fee.CreatedAt,
        };
    }
}
