using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace PayMyInvoice.Infrastructure.DynamoDb;

/// <summary>
/// Builds the DynamoDB client once per execution environment. <c>AWS_ENDPOINT_URL_DYNAMODB</c> (the SDKs' standard
/// variable) points it at DynamoDB Local; in AWS it is unset and the SDK's defaults apply.
/// </summary>
public static class DynamoDbClients
{
    public const string EndpointVariable = "AWS_ENDPOINT_URL_DYNAMODB";

    public static AmazonDynamoDBClient FromEnvironment()
    {
        var config = new AmazonDynamoDBConfig();
        if (Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1";
        }

        return new AmazonDynamoDBClient(config);
    }

    /// <summary>A client for a local endpoint with throwaway credentials (tests and the local stack).</summary>
    public static AmazonDynamoDBClient ForLocal(Uri endpoint, string region = "us-east-1") =>
        new(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig
        {
            ServiceURL = endpoint.ToString(),
            AuthenticationRegion = region,
        });
}
