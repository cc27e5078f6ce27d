using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Contracts.Http;
using PayMyInvoice.Http;
using PayMyInvoice.Infrastructure.Sns;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Workers.Payments;

/// <summary>
/// Stripe's webhook intake: verifies Stripe-Signature on the raw body (<see cref="StripeSignature"/>, 300 s tolerance) and publishes the
/// event to the payment-events topic — no table write, so nothing can half-succeed. A bad signature is 400 and
/// publishes nothing; a failed publish is 503, which Stripe retries for days.
/// </summary>
public sealed class StripeWebhookFunction(string signingSecret, SnsClient sns, string topicArn, TimeProvider time)
{
    public async Task<APIGatewayProxyResponse> HandleAsync(HttpCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!call.TryReadBody(out var bytes, out var rejection))
        {
            return rejection;
        }

        var payload = Encoding.UTF8.GetString(bytes);
        if (call.Header("Stripe-Signature") is not { Length: > 0 } signature)
        {
            return ApiResponses.Error(400, "missing_signature", "The Stripe-Signature header is missing.");
        }

        if (!StripeSignature.IsValid(bytes, signature, signingSecret, time.GetUtcNow()))
        {
            return ApiResponses.Error(400, "invalid_signature", "The Stripe-Signature does not match this body, or is older than 300 seconds.");
        }

        string type;
        try
        {
            // A Stripe event, or nothing is queued: an object with a string id and type and an object data.object.
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            type = root.GetProperty("type").GetString() ?? throw new KeyNotFoundException();
            if (root.GetProperty("id").GetString() is not { Length: > 0 } || type.Length == 0
                || root.GetProperty("data").GetProperty("object").ValueKind != JsonValueKind.Object)
            {
                throw new KeyNotFoundException();
            }

            payload = WithoutPayLinks(payload, type);
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return ApiResponses.Error(400, "malformed_json", "The body is not a Stripe event: a JSON object with a string id and type and a data.object.");
        }

        try
        {
            await sns.PublishAsync(topicArn, payload, new Dictionary<string, string> { [SnsInvoiceEventPublisher.EventTypeAttribute] = type }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is SnsException or HttpRequestException or TaskCanceledException)
        {
            call.Context.Logger.LogError("publishing a Stripe event failed; Stripe will retry", error);
            return ApiResponses.Error(503, "unavailable", "The event could not be queued; retry later.");
        }

        return ApiResponses.Json(200, new WebhookResponse { Received = true }, ContractsJsonContext.Wire.WebhookResponse);
    }

    /// <summary>
    /// A Checkout Session's return URLs are the payer's pay link (its token is a capability): they are dropped before
    /// the event is queued, so the token rests in no topic, queue or dead-letter queue. Nothing downstream reads them.
    /// </summary>
    private static string WithoutPayLinks(string payload, string type)
    {
        if (!type.StartsWith("checkout.session.", StringComparison.Ordinal) || JsonNode.Parse(payload)?["data"]?["object"] is not JsonObject session)
        {
            return payload;
        }

        session.Remove("success_url");
        session.Remove("cancel_url");
        return session.Root.ToJsonString();
    }
}
