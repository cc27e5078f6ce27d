using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Core;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Http;

/// <summary>
/// Wraps an HTTP handler as a Lambda function: 401 without a caller identity (or with one no Cognito identity could
/// be); 503 with Retry-After when a service we depend on cannot be reached; a logged 500 in the one error shape
/// (never an unhandled exception, which API Gateway would turn into a bare 502) when the handler fails otherwise; and
/// CORS headers on every response, errors included, or the browser shows the frontend an opaque failure.
/// </summary>
public static class HttpFunction
{
    /// <summary>
    /// Cognito identity ids are "region:uuid" (about 46 characters); 128 leaves room and keeps every key we build from
    /// one far below DynamoDB's limits (2,048 bytes for a partition key, 1,024 for a sort key).
    /// </summary>
    public const int MaxIdentityLength = 128;

    /// <summary>Seconds a client should wait before retrying a 503.</summary>
    public const int RetryAfterSeconds = 2;

    public static ILambdaFunction Create(Func<HttpCall, CancellationToken, Task<APIGatewayProxyResponse>> handler, string allowedOrigin) =>
        Wrap(allowedOrigin, (request, context, cancellationToken) =>
        {
            var userId = request.RequestContext?.Identity?.CognitoIdentityId;
            return string.IsNullOrWhiteSpace(userId)
                ? Task.FromResult(ApiResponses.Error(401, "unauthorized", "The request carries no caller identity; sign it with IAM credentials from Cognito."))
                : !IsPlausibleIdentity(userId)
                    ? Task.FromResult(ApiResponses.Error(401, "unauthorized", "The request's caller identity is not a Cognito identity id."))
                    : handler(new HttpCall(request, userId, context), cancellationToken);
        });

    /// <summary>For callers that prove themselves otherwise (Stripe signs its webhooks): no caller identity is read.</summary>
    public static ILambdaFunction CreateAnonymous(Func<HttpCall, CancellationToken, Task<APIGatewayProxyResponse>> handler) =>
        Wrap("*", (request, context, cancellationToken) => handler(new HttpCall(request, null, context), cancellationToken));

    /// <summary>
    /// What a Cognito identity id could be: at most <see cref="MaxIdentityLength"/> characters, no whitespace, control
    /// or format characters. Anything else never reaches a table key.
    /// </summary>
    public static bool IsPlausibleIdentity(string identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return identity.Length is > 0 and <= MaxIdentityLength
            && !identity.Any(char.IsWhiteSpace)
            && !TextRules.HasHiddenCharacters(identity);
    }

    /// <summary>
    /// Whether <paramref name="error"/> says a service could not be reached or is overloaded (retry later: 503) rather
    /// than that our code is wrong (500): the network failing (refused connection, reset, DNS, a connection cut while
    /// the answer was read), the SDK's own timeout
    /// (a cancellation the caller did not ask for), or AWS answering 5xx or throttling. Inner exceptions count: the SDK
    /// wraps what HttpClient threw.
    /// </summary>
    public static bool IsUnavailable(Exception error, CancellationToken callerToken)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case OperationCanceledException when !callerToken.IsCancellationRequested:
                case HttpRequestException:
                case HttpIOException: // the connection ended while the answer was read
                case IOException io when io.Source is "System.Net.Sockets" or "System.Net.Http" or "System.Net.Security": // e.g. broken pipe on write
                case SocketException:
                case TimeoutException:
                case AmazonServiceException service when (int)service.StatusCode >= 500 || IsThrottling(service.ErrorCode):
                    return true;
            }
        }

        return false;
    }

    private static bool IsThrottling(string? errorCode) => errorCode is
        "ProvisionedThroughputExceededException" or "ThrottlingException" or "Throttling" or "RequestLimitExceeded"
        or "TooManyRequestsException" or "LimitExceededException" or "TransactionInProgressException";

    private static ILambdaFunction Wrap(string allowedOrigin, Func<APIGatewayProxyRequest, ILambdaContext, CancellationToken, Task<APIGatewayProxyResponse>> handler) =>
        LambdaFunction.Create(
            ContractsJsonContext.Wire.APIGatewayProxyRequest,
            ContractsJsonContext.Wire.APIGatewayProxyResponse,
            async (request, context, cancellationToken) =>
                WithCors(await HandleAsync(handler, request, context, cancellationToken).ConfigureAwait(false), allowedOrigin));

    private static async Task<APIGatewayProxyResponse> HandleAsync(
        Func<APIGatewayProxyRequest, ILambdaContext, CancellationToken, Task<APIGatewayProxyResponse>> handler,
        APIGatewayProxyRequest request,
        ILambdaContext context,
        CancellationToken cancellationToken)
    {
        try
        {
            return await handler(request, context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (IsUnavailable(error, cancellationToken))
        {
            // One conditional write (or one transaction) per request: it failed whole, or, on a timeout, may have
            // applied whole; a retry with the same Idempotency-Key is safe either way.
            context.Logger.LogWarning($"a service could not be reached; answering 503: {error.GetType().Name}: {error.Message}");
            return Unavailable();
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            context.Logger.LogError("unhandled error in HTTP function", error);
            return ApiResponses.Error(500, "internal_error", $"Something went wrong on our side; request id {context.AwsRequestId}.");
        }
    }

    public static APIGatewayProxyResponse Unavailable()
    {
        var response = ApiResponses.Error(503, "service_unavailable", "The service is briefly unavailable; nothing was changed that a retry would repeat. Retry shortly.");
        response.Headers!["Retry-After"] = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return response;
    }

    private static APIGatewayProxyResponse WithCors(APIGatewayProxyResponse response, string allowedOrigin)
    {
        response.Headers ??= new(StringComparer.OrdinalIgnoreCase);
        response.Headers["Access-Control-Allow-Origin"] = allowedOrigin;
        response.Headers["Access-Control-Allow-Headers"] = "Content-Type,Authorization,Idempotency-Key,X-Amz-Date,X-Amz-Security-Token";
        response.Headers["Access-Control-Allow-Methods"] = "GET,POST,PUT,DELETE,OPTIONS";
        response.Headers["Access-Control-Expose-Headers"] = "Location,Idempotent-Replayed,Retry-After"; // readable by the frontend
        return response;
    }
}
