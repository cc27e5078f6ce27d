using Amazon;
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

    public static AmazonDynamoDBClient FromSettings(Func<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var region = settings("AWS_REGION");
        var config = new AmazonDynamoDBConfig();
        if (settings(EndpointVariable) is { Length: > 0 } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = region ?? "us-east-1";
        }
        else if (region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        return settings("AWS_ACCESS_KEY_ID") is { } key && settings("AWS_SECRET_ACCESS_KEY") is { } secret
            ? new AmazonDynamoDBClient(
                settings("AWS_SESSION_TOKEN") is { } token ? new SessionAWSCredentials(key, secret, token) : new BasicAWSCredentials(key, secret),
                config)
            : new AmazonDynamoDBClient(config);
    }

    /// <summary>A client for a local endpoint with throwaway credentials (tests and the local stack).</summary>
    public static AmazonDynamoDBClient ForLocal(Uri endpoint, string region = "us-east-1") =>
        new(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig
        {
            ServiceURL = endpoint.ToString(),
            AuthenticationRegion = region,
        });
}
