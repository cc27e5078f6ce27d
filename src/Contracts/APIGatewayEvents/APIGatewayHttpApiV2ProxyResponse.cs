namespace PayMyInvoice.Contracts.APIGatewayEvents;

/// <summary>HTTP API (payload format 2.0) response.</summary>
public sealed class APIGatewayHttpApiV2ProxyResponse
{
    public int StatusCode { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public List<string>? Cookies { get; set; }
    public string? Body { get; set; }
    public bool IsBase64Encoded { get; set; }
}
