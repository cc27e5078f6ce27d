using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Contracts.Http;
using PayMyInvoice.Core;

namespace PayMyInvoice.Http;

/// <summary>Every response the HTTP functions give: JSON bodies and the one error shape. <see cref="HttpFunction"/> adds CORS.</summary>
public static class ApiResponses
{
    public static APIGatewayProxyResponse Json<T>(int statusCode, T body, JsonTypeInfo<T> type, Dictionary<string, string>? extraHeaders = null)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = "application/json" };
        foreach (var (name, value) in extraHeaders ?? [])
        {
            headers[name] = value;
        }

        return new APIGatewayProxyResponse { StatusCode = statusCode, Headers = headers, Body = JsonSerializer.Serialize(body, type) };
    }

    public static APIGatewayProxyResponse NoContent() => new() { StatusCode = 204, Headers = new(StringComparer.OrdinalIgnoreCase) };

    public static APIGatewayProxyResponse Error(int statusCode, string code, string message, List<ErrorDetail>? details = null) => Json(
        statusCode,
        new ErrorResponse { Error = new ErrorBody { Code = code, Message = message, Details = details } },
        ContractsJsonContext.Wire.ErrorResponse);

    public static APIGatewayProxyResponse From(Failure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var status = failure.Kind switch
        {
            FailureKind.Invalid => 400,
            FailureKind.NotFound => 404,
            FailureKind.Conflict => 409,
            _ => 500,
        };
        var details = failure.Details?.Select(d => new ErrorDetail { Field = d.Field, Code = d.Code, Message = d.Message }).ToList();
        return Error(status, failure.Code, failure.Message, details);
    }
}
