using System.Text.Json;
using System.Text.Json.Nodes;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Local;

namespace PayMyInvoice.IntegrationTests;

/// <summary>Calls an HTTP function of a local deployment as API Gateway would, expecting success.</summary>
public static class DeploymentCalls
{
    /// <summary>The response body as JSON (an empty object for 204); fails the test on a non-2xx answer.</summary>
    public static async Task<JsonNode> HttpAsync(this LocalDeployment deployment, string function, APIGatewayProxyRequest request)
    {
        var outcome = await deployment.InvokeAsync(function, JsonSerializer.SerializeToUtf8Bytes(request, ContractsJsonContext.Wire.APIGatewayProxyRequest), CancellationToken.None);
        Assert.Null(outcome.Error);
        var response = JsonSerializer.Deserialize(outcome.Response, ContractsJsonContext.Wire.APIGatewayProxyResponse)!;
        Assert.True(response.StatusCode is >= 200 and < 300, $"{function}: {response.StatusCode} {response.Body}");
        return response.Body is { Length: > 0 } body ? JsonNode.Parse(body)! : new JsonObject();
    }
}
