using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Core;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.Requests;

namespace PayMyInvoice.Http;

/// <summary>
/// <c>Idempotency-Key</c> as Stripe does it, for the routes that create or start something. Without the header the use
/// case simply runs. With it: a remembered request under the same key (this user's, unexpired) answers instead — its
/// first response again with <c>Idempotent-Replayed: true</c> if method, path and body match, <c>422
/// idempotency_key_reused</c> if not — and nothing runs; otherwise the use case runs and, if it writes, remembers the
/// request and its answer in the same transaction. If that write loses to a request with the same key, that request's
/// answer is the answer. Refusals (400, 404, 409) write nothing, so they are not remembered.
/// </summary>
public sealed class IdempotentRequests(IInvoiceStore store, TimeProvider time)
{
    public const string KeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <param name="call">The request; its method, path and user scope the key.</param>
    /// <param name="body">The body as read, in one canonical form (re-serialised), so the hash ignores spacing and order.</param>
    /// <param name="run">Runs the use case, given how to remember the request from the invoice it writes (null without a key).</param>
    /// <param name="answer">The success response for the invoice written.</param>
    public async Task<APIGatewayProxyResponse> AnswerAsync(
        HttpCall call,
        string body,
        Func<Func<Invoice, RememberedRequest>?, Task<Result<Invoice>>> run,
        Func<Invoice, APIGatewayProxyResponse> answer,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(answer);
        if (call.Header(KeyHeader) is not { } key)
        {
            return Answer(await run(null).ConfigureAwait(false), answer);
        }

        if (RememberedRequests.CheckKey(key) is { } keyError)
        {
            return ApiResponses.From(Failure.Invalid([keyError]));
        }

        var keyHash = RememberedRequests.KeyHashOf(key);
        var requestHash = RememberedRequests.HashOf(call.Request.HttpMethod ?? "", call.Request.Path ?? "", body);
        if (await store.FindRequestAsync(call.UserId, keyHash, cancellationToken).ConfigureAwait(false) is { } remembered)
        {
            return Replay(remembered, requestHash);
        }

        var result = await run(invoice =>
        {
            var response = answer(invoice);
            var now = time.GetUtcNow();
            var location = response.Headers?.GetValueOrDefault("Location");
            return new RememberedRequest(call.UserId, keyHash, requestHash, new RememberedResponse(response.StatusCode, response.Body ?? "", location), now, now + RememberedRequests.Lifetime);
        }).ConfigureAwait(false);

        // A conflict may be a request with the same key that won meanwhile (the record lost, or the invoice moved
        // under it): if the key is remembered now, its first answer is the answer.
        if (result.Failure is { Kind: FailureKind.Conflict } && await store.FindRequestAsync(call.UserId, keyHash, cancellationToken).ConfigureAwait(false) is { } winner)
        {
            return Replay(winner, requestHash);
        }

        return Answer(result, answer);
    }

    private static APIGatewayProxyResponse Answer(Result<Invoice> result, Func<Invoice, APIGatewayProxyResponse> answer) =>
        result.Value is { } invoice ? answer(invoice) : ApiResponses.From(result.Failure!);

    private static APIGatewayProxyResponse Replay(RememberedRequest remembered, string requestHash)
    {
        if (!string.Equals(remembered.RequestHash, requestHash, StringComparison.Ordinal))
        {
            return ApiResponses.Error(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was already used with another request (method, path or body); use a new key for a new request.");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Content-Type"] = "application/json",
            [ReplayedHeader] = "true",
        };
        if (remembered.Response.Location is { } location)
        {
            headers["Location"] = location;
        }

        return new APIGatewayProxyResponse { StatusCode = remembered.Response.StatusCode, Headers = headers, Body = remembered.Response.Body };
    }
}
