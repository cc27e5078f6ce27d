using Amazon.DynamoDBv2;
using Amazon.Runtime;
using PayMyInvoice.Infrastructure.Aws;

namespace PayMyInvoice.Infrastructure.DynamoDb;

/// <summary>Builds the DynamoDB client once per execution environment; <c>AWS_ENDPOINT_URL_DYNAMODB</c> points it at DynamoDB Local.</summary>
public static class DynamoDbClients
{
    public const string EndpointVariable = "AWS_ENDPOINT_URL_DYNAMODB";

    public static AmazonDynamoDBClient FromSettings(AwsSettings aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        var config = new AmazonDynamoDBConfig();
        if (aws.Endpoint("DYNAMODB") is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = aws.Region;
        }
        else
        {
            config.RegionEndpoint = aws.RegionEndpoint;
        }

        return aws.ExplicitCredentials() is { } credentials ? new AmazonDynamoDBClient(credentials, config) : new AmazonDynamoDBClient(config);
    }

    /// <summary>A client for a local endpoint with throwaway credentials (tests and the local stack).</summary>
    public static AmazonDynamoDBClient ForLocal(Uri endpoint, string region = "us-east-1") =>
        new(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig
        {
            ServiceURL = endpoint.ToString(),
            AuthenticationRegion = region,
        });
}
