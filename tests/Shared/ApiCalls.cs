using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Tests;

/// <summary>Calls HTTP functions the way API Gateway does: a REST proxy event as JSON bytes in, a proxy response out.</summary>
public sealed class ApiCalls(FunctionTable functions)
{
    public const string Alice = "us-east-1:aaaaaaaa-0000-4000-8000-000000000001";
    public const string Bob = "us-east-1:bbbbbbbb-0000-4000-8000-000000000002";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ILambdaFunction> _built = new();

    public static APIGatewayProxyRequest Event(
        string method,
        string path,
        string? userId = Alice,
        string? body = null,
        string? id = null,
        Dictionary<string, string>? query = null,
        string? contentType = "application/json") => new()
    {
        HttpMethod = method,
        Path = path,
        Resource = id is null ? "/invoices" : "/invoices/{id}",
        Headers = body is not null && contentType is not null ? new() { ["content-type"] = contentType } : new(),
        PathParameters = id is null ? null : new() { ["id"] = id },
        QueryStringParameters = query,
        Body = body,
        RequestContext = new APIGatewayProxyRequest.ProxyRequestContext
        {
            RequestId = Guid.NewGuid().ToString(),
            Stage = "test",
            Identity = new APIGatewayProxyRequest.RequestIdentity { CognitoIdentityId = userId, SourceIp = "127.0.0.1" },
        },
    };

    public async Task<ApiResult> SendAsync(string function, APIGatewayProxyRequest request)
    {
        // Built once per function, as in an execution environment; tests call concurrently.
        var lambda = _built.GetOrAdd(function, functions.Create);

        var payload = JsonSerializer.SerializeToUtf8Bytes(request, ContractsJsonContext.Wire.APIGatewayProxyRequest);
        var bytes = await lambda.InvokeAsync(payload, new TestLambdaContext(), CancellationToken.None);
        var response = JsonSerializer.Deserialize(bytes, ContractsJsonContext.Wire.APIGatewayProxyResponse)!;
        return new ApiResult(response.StatusCode, response.Headers ?? [], response.Body is { Length: > 0 } body ? JsonNode.Parse(body) : null);
    }

    public Task<ApiResult> CreateAsync(object invoice, string? userId = Alice) =>
        SendAsync("createInvoice", Event("POST", "/invoices", userId, Serialize(invoice)));

    public Task<ApiResult> GetAsync(string id, string? userId = Alice) =>
        SendAsync("getInvoice", Event("GET", $"/invoices/{id}", userId, id: id));

    public Task<ApiResult> ListAsync(Dictionary<string, string>? query = null, string? userId = Alice) =>
        SendAsync("listInvoices", Event("GET", "/invoices", userId, query: query));

    public Task<ApiResult> UpdateAsync(string id, object invoice, string? userId = Alice) =>
        SendAsync("updateInvoice", Event("PUT", $"/invoices/{id}", userId, Serialize(invoice), id));

    public Task<ApiResult> DeleteAsync(string id, string? userId = Alice) =>
        SendAsync("deleteInvoice", Event("DELETE", $"/invoices/{id}", userId, id: id));

    public Task<ApiResult> PayAsync(string id, string paymentMethodId = "pm_card_visa", string? idempotencyKey = null, string? userId = Alice)
    {
        var request = Event("POST", $"/invoices/{id}/pay", userId, new JsonObject { ["paymentMethodId"] = paymentMethodId }.ToJsonString(), id);
        if (idempotencyKey is not null)
        {
            request.Headers!["Idempotency-Key"] = idempotencyKey;
        }

        return SendAsync("payInvoice", request);
    }

    public Task<ApiResult> VoidAsync(string id, string? userId = Alice) =>
        SendAsync("voidInvoice", Event("POST", $"/invoices/{id}/void", userId, id: id));

    public static JsonObject NewInvoice(long amount = 1500, string status = "open") => new()
    {
        ["payerEmail"] = "payer@example.com",
        ["description"] = "Consulting",
        ["amount"] = amount,
        ["currency"] = "USD",
        ["dueDate"] = "2026-12-31",
        ["status"] = status,
    };

    private static string Serialize(object body) => body is JsonNode node ? node.ToJsonString() : (string)body;
}

public sealed record ApiResult(int Status, Dictionary<string, string> Headers, JsonNode? Body)
{
    public string? ErrorCode => Body?["error"]?["code"]?.GetValue<string>();

    public IEnumerable<string> ErrorFields => Body?["error"]?["details"]?.AsArray().Select(d => d!["field"]!.GetValue<string>()) ?? [];

    public string Id => Body!["invoiceId"]!.GetValue<string>();

    public long Version => Body!["version"]!.GetValue<long>();
}

public sealed class TestLambdaContext : ILambdaContext
{
    public string AwsRequestId { get; } = Guid.NewGuid().ToString();
    public string FunctionName => "test";
    public string FunctionVersion => "$LATEST";
    public string InvokedFunctionArn => "arn:aws:lambda:us-east-1:000000000000:function:test";
    public int MemoryLimitInMB => 256;
    public DateTimeOffset Deadline { get; init; } = DateTimeOffset.UtcNow.AddSeconds(30);
    public TimeSpan RemainingTime => Deadline > DateTimeOffset.UtcNow ? Deadline - DateTimeOffset.UtcNow : TimeSpan.Zero;
    public string LogGroupName => "";
    public string LogStreamName => "";
    public string? TraceId => null;
    public string? ClientContext => null;
    public ILambdaLogger Logger { get; init; } = new JsonLogger(new FunctionEnvironment(), TextWriter.Null, TimeProvider.System);
}
