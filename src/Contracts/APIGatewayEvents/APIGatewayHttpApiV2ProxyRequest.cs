using System.Text.Json;

namespace PayMyInvoice.Contracts.APIGatewayEvents;

/// <summary>API Gateway HTTP API Lambda request (payload format 2.0). Header names arrive lower-cased.</summary>
public sealed class APIGatewayHttpApiV2ProxyRequest
{
    public string? Version { get; set; }
    public string? RouteKey { get; set; }
    public string? RawPath { get; set; }
    public string? RawQueryString { get; set; }
    public List<string>? Cookies { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public Dictionary<string, string>? QueryStringParameters { get; set; }
    public ProxyRequestContext? RequestContext { get; set; }
    public string? Body { get; set; }
    public Dictionary<string, string>? PathParameters { get; set; }
    public bool IsBase64Encoded { get; set; }
    public Dictionary<string, string>? StageVariables { get; set; }

    public sealed class ProxyRequestContext
    {
        public string? AccountId { get; set; }
        public string? ApiId { get; set; }
        public AuthorizerDescription? Authorizer { get; set; }
        public string? DomainName { get; set; }
        public string? DomainPrefix { get; set; }
        public HttpDescription? Http { get; set; }
        public string? RequestId { get; set; }
        public string? RouteId { get; set; }
        public string? RouteKey { get; set; }
        public string? Stage { get; set; }
        public string? Time { get; set; }
        public long TimeEpoch { get; set; }
    }

    public sealed class HttpDescription
    {
        public string? Method { get; set; }
        public string? Path { get; set; }
        public string? Protocol { get; set; }
        public string? SourceIp { get; set; }
        public string? UserAgent { get; set; }
    }

    public sealed class AuthorizerDescription
    {
        public JwtDescription? Jwt { get; set; }
        public Dictionary<string, JsonElement>? Lambda { get; set; }
        public IAMDescription? IAM { get; set; }
    }

    public sealed class JwtDescription
    {
        public Dictionary<string, string>? Claims { get; set; }
        public List<string>? Scopes { get; set; }
    }

    public sealed class IAMDescription
    {
        public string? AccessKey { get; set; }
        public string? AccountId { get; set; }
        public string? CallerId { get; set; }
        public CognitoIdentityDescription? CognitoIdentity { get; set; }
        public string? PrincipalOrgId { get; set; }
        public string? UserArn { get; set; }
        public string? UserId { get; set; }
    }

    public sealed class CognitoIdentityDescription
    {
        public List<string>? AMR { get; set; }
        public string? IdentityId { get; set; }
        public string? IdentityPoolId { get; set; }
    }
}
