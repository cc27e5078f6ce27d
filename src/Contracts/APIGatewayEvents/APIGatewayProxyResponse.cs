namespace PayMyInvoice.Contracts.APIGatewayEvents;

/// <summary>The only response shape API Gateway's REST proxy integration accepts; anything else becomes a 500.</summary>
public sealed class APIGatewayProxyResponse
{
    public int StatusCode { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public Dictionary<string, List<string>>? MultiValueHeaders { get; set; }
    public string? Body { get; set; }
    public bool IsBase64Encoded { get; set; }
}
