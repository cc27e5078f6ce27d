using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Contracts.Http;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Http;

/// <summary>An authenticated HTTP request: the caller's identity, and the checked reading of its parts.</summary>
public sealed class HttpCall(APIGatewayProxyRequest request, string? userId, ILambdaContext context)
{
    public const int MaxBodyBytes = 64 * 1024;

    public APIGatewayProxyRequest Request => request;

    /// <summary>From API Gateway's IAM-authorised request context, never from a header or the body.</summary>
    public string UserId => userId ?? throw new InvalidOperationException("This function is anonymous: it has no caller identity.");

    public ILambdaContext Context => context;

    public string? PathParameter(string name) => request.PathParameters?.GetValueOrDefault(name);

    public string? Query(string name) => request.QueryStringParameters?.GetValueOrDefault(name);

    /// <summary>Header names arrive as the client wrote them, so the lookup ignores case.</summary>
    public string? Header(string name)
    {
        foreach (var (key, value) in request.Headers ?? [])
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        foreach (var (key, values) in request.MultiValueHeaders ?? [])
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase) && values.Count > 0)
            {
                return values[0];
            }
        }

        return null;
    }

    /// <summary>Strict: invalid bytes (or a lone surrogate) throw instead of quietly becoming U+FFFD.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The body as sent (base64 decoded): 413 when over 64 KiB, 400 <c>malformed_body</c> when the base64 is broken or
    /// the bytes are not UTF-8 (every body we take is JSON text; a body that is not text is never read as if it were).
    /// </summary>
    public bool TryReadBody(out byte[] bytes, out APIGatewayProxyResponse rejection)
    {
        try
        {
            bytes = request.IsBase64Encoded ? Convert.FromBase64String(request.Body ?? "") : StrictUtf8.GetBytes(request.Body ?? "");
        }
        catch (FormatException)
        {
            bytes = [];
            rejection = ApiResponses.Error(400, "malformed_body", "The body is marked base64 but is not valid base64.");
            return false;
        }
        catch (EncoderFallbackException)
        {
            bytes = [];
            rejection = NotUtf8();
            return false;
        }

        if (bytes.Length > MaxBodyBytes)
        {
            rejection = ApiResponses.Error(413, "payload_too_large", $"The body is {bytes.Length} bytes; at most {MaxBodyBytes} are accepted.");
            return false;
        }

        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            rejection = NotUtf8();
            return false;
        }

        rejection = null!;
        return true;
    }

    private static APIGatewayProxyResponse NotUtf8() =>
        ApiResponses.Error(400, "malformed_body", "The body is not valid UTF-8 text.");

    public bool TryReadJson<T>(JsonTypeInfo<T> type, out T body, out APIGatewayProxyResponse rejection)
        where T : class
    {
        body = null!;
        if (!TryReadBody(out var bytes, out rejection))
        {
            return false;
        }

        if (!IsJsonMediaType(Header("Content-Type")))
        {
            rejection = ApiResponses.Error(415, "unsupported_media_type", "Send the body as Content-Type: application/json.");
            return false;
        }

        if (bytes.Length == 0)
        {
            rejection = ApiResponses.Error(400, "malformed_json", "The body is empty; a JSON object is expected.");
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException error)
        {
            rejection = ApiResponses.Error(400, "malformed_json", $"The body is not valid JSON (line {error.LineNumber + 1}, byte {error.BytePositionInLine}).");
            return false;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                rejection = ApiResponses.Error(400, "malformed_json", "The body must be a JSON object.");
                return false;
            }

            try
            {
                body = document.RootElement.Deserialize(type)!;
            }
            catch (JsonException error)
            {
                rejection = FieldRejection(error);
                return false;
            }
            catch (InvalidOperationException)
            {
                // System.Text.Json reading a string with a lone surrogate escape (\ud800): not text.
                rejection = ApiResponses.Error(400, "malformed_json", "The body has a string that is not valid Unicode (a lone surrogate escape such as \\ud800).");
                return false;
            }
        }

        rejection = null!;
        return true;
    }

    private static bool IsJsonMediaType(string? contentType)
    {
        var mediaType = contentType?.Split(';')[0].Trim();
        return mediaType is not null
            && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The body is well-formed JSON here, so a failure is a field of the wrong type or an unknown field.
    /// System.Text.Json names the path ($.lineItems[0].quantity); its message names .NET types, so the client gets ours.
    /// </summary>
    private static APIGatewayProxyResponse FieldRejection(JsonException error)
    {
        var path = error.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : null;
        ErrorDetail detail;
        if (error.Message.Contains("could not be mapped", StringComparison.Ordinal) && UnknownPropertyName(error.Message) is { } unknown)
        {
            var field = path is null || path.EndsWith(unknown, StringComparison.Ordinal) ? path ?? unknown : $"{path}.{unknown}";
            detail = new ErrorDetail { Field = field, Code = "unknown_field", Message = "Is not a field of this request." };
        }
        else
        {
            detail = new ErrorDetail { Field = path ?? "$", Code = "invalid_type", Message = "Has the wrong JSON type (amounts and quantities are whole numbers; text fields are strings)." };
        }

        return ApiResponses.Error(400, "validation_failed", "The request has invalid fields.", [detail]);
    }

    private static string? UnknownPropertyName(string message)
    {
        var start = message.IndexOf('\'', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }
}
