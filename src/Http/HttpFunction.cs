using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Http;

/// <summary>
/// Wraps an HTTP handler as a Lambda function: 401 without a caller identity; a logged 500 in the one error shape
/// (never an unhandled exception, which API Gateway would turn into a bare 502) when the handler fails; and CORS
/// headers on every response, errors included, or the browser shows the frontend an opaque failure.
/// </summary>
public static class HttpFunction
{
    public static ILambdaFunction Create(Func<HttpCall, CancellationToken, Task<APIGatewayProxyResponse>> handler, string allowedOrigin) =>
        Wrap(allowedOrigin, (request, context, cancellationToken) =>
        {
            var userId = request.RequestContext?.Identity?.CognitoIdentityId;
            return string.IsNullOrWhiteSpace(userId)
                ? Task.FromResult(ApiResponses.Error(401, "unauthorized", "The request carries no caller identity; sign it with IAM credentials from Cognito."))
                : handler(new HttpCall(request, userId, context), cancellationToken);
        });

    /// <summary>For callers that prove themselves otherwise (Stripe signs its webhooks): no caller identity is read.</summary>
    public static ILambdaFunction CreateAnonymous(Func<HttpCall, CancellationToken, Task<APIGatewayProxyResponse>> handler) =>
        Wrap("*", (request, context, cancellationToken) => handler(new HttpCall(request, null, context), cancellationToken));

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
        catch (Exception error) when (error is not OperationCanceledException)
        {
            context.Logger.LogError("unhandled error in HTTP function", error);
            return ApiResponses.Error(500, "internal_error", $"Something went wrong on our side; request id {context.AwsRequestId}.");
        }
    }

    private static APIGatewayProxyResponse WithCors(APIGatewayProxyResponse response, string allowedOrigin)
    {
        response.Headers ??= new(StringComparer.OrdinalIgnoreCase);
        response.Headers["Access-Control-Allow-Origin"] = allowedOrigin;
        response.Headers["Access-Control-Allow-Headers"] = "Content-Type,Authorization,Idempotency-Key,X-Amz-Date,X-Amz-Security-Token";
        response.Headers["Access-Control-Allow-Methods"] = "GET,POST,PUT,DELETE,OPTIONS";
        response.Headers["Access-Control-Expose-Headers"] = "Location,Idempotent-Replayed"; // readable by the frontend
        return response;
    }
}
