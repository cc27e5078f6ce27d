using System.Text.Json;

namespace PayMyInvoice.Contracts.APIGatewayEvents;

/// <summary>API Gateway REST API Lambda proxy request (payload format 1.0), as Amazon.Lambda.APIGatewayEvents names it.</summary>
public sealed class APIGatewayProxyRequest
{
    public string? Resource { get; set; }
    public string? Path { get; set; }
    public string? HttpMethod { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public Dictionary<string, List<string>>? MultiValueHeaders { get; set; }
    public Dictionary<string, string>? QueryStringParameters { get; set; }
    public Dictionary<string, List<string>>? MultiValueQueryStringParameters { get; set; }
    public Dictionary<string, string>? PathParameters { get; set; }
    public Dictionary<string, string>? StageVariables { get; set; }
    public ProxyRequestContext? RequestContext { get; set; }
    public string? Body { get; set; }
    public bool IsBase64Encoded { get; set; }

    public sealed class ProxyRequestContext
    {
        public string? AccountId { get; set; }
        public string? ResourceId { get; set; }
        public string? Stage { get; set; }
        public string? RequestId { get; set; }
        public RequestIdentity? Identity { get; set; }
        public string? ResourcePath { get; set; }
        public string? HttpMethod { get; set; }
        public string? ApiId { get; set; }
        public string? ExtendedRequestId { get; set; }
        public string? ConnectionId { get; set; }
        public string? DomainName { get; set; }
        public string? DomainPrefix { get; set; }
        public string? Path { get; set; }
        public string? Protocol { get; set; }
        public Dictionary<string, JsonElement>? Authorizer { get; set; }
        public string? RequestTime { get; set; }
        public long RequestTimeEpoch { get; set; }
    }

    public sealed class RequestIdentity
    {
        public string? CognitoIdentityPoolId { get; set; }
        public string? AccountId { get; set; }
        public string? CognitoIdentityId { get; set; }
        public string? Caller { get; set; }
        public string? ApiKey { get; set; }
        public string? ApiKeyId { get; set; }
        public string? AccessKey { get; set; }
        public string? SourceIp { get; set; }
        public string? CognitoAuthenticationType { get; set; }
        public string? CognitoAuthenticationProvider { get; set; }
        public string? UserArn { get; set; }
        public string? UserAgent { get; set; }
        public string? User { get; set; }
        public JsonElement? ClientCert { get; set; }
    }
}
