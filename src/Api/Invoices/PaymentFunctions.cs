using System.Text.Json;
using PayMyInvoice.Http;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.Api.Invoices;

/// <summary>Paying and voiding: parse, one use case, map the result.</summary>
public sealed class PaymentFunctions(PaymentService payments, IdempotentRequests idempotent)
{
    public async Task<APIGatewayProxyResponse> PayAsync(HttpCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!call.TryReadJson(ContractsJsonContext.Wire.PayRequest, out var body, out var rejection))
        {
            return rejection;
        }

        var key = call.Header(IdempotentRequests.KeyHeader);
        return await idempotent.AnswerAsync(
            call,
            JsonSerializer.Serialize(body, ContractsJsonContext.Wire.PayRequest),
            remember => payments.PayAsync(call.UserId, call.PathParameter("id"), body.PaymentMethodId, key, cancellationToken, remember),
            invoice => ApiResponses.Json(202, invoice.ToPaymentResponse(), ContractsJsonContext.Wire.PaymentResponse),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<APIGatewayProxyResponse> VoidAsync(HttpCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var result = await payments.VoidAsync(call.UserId, call.PathParameter("id"), cancellationToken).ConfigureAwait(false);
        return result.Value is { } invoice
            ? ApiResponses.Json(200, invoice.ToResponse(payLinks: null /* a voided invoice has none */), ContractsJsonContext.Wire.InvoiceResponse)
            : ApiResponses.From(result.Failure!);
    }
}
