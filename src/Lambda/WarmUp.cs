using System.Text;
using System.Text.Json;

namespace PayMyInvoice.Lambda;

/// <summary>
/// Recognises serverless-plugin-warmup's ping, <c>{"source":"serverless-plugin-warmup"}</c>, in the payload or in the
/// client context's <c>custom</c> object, by reading only the top-level <c>source</c> so the check stays cheap.
/// </summary>
public static class WarmUp
{
    public static readonly byte[] Response = Encoding.UTF8.GetBytes("{\"warmed\":true}");

    public static bool IsWarmUp(ReadOnlySpan<byte> payload, string? clientContext, string source) =>
        TopLevelSourceIs(payload, source) || CustomSourceIs(clientContext, source);

    private static bool TopLevelSourceIs(ReadOnlySpan<byte> json, string source)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSource = reader.ValueTextEquals("source"u8);
                reader.Read();
                if (isSource)
                {
                    return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(source);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON, so not a warm-up; the function itself reports the bad event.
        }

        return false;
    }

    private static bool CustomSourceIs(string? clientContext, string source)
    {
        if (string.IsNullOrEmpty(clientContext))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(clientContext);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("custom", out var custom)
                && custom.ValueKind == JsonValueKind.Object
                && custom.TryGetProperty("source", out var value)
                && value.ValueKind == JsonValueKind.String
                && value.ValueEquals(source);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
