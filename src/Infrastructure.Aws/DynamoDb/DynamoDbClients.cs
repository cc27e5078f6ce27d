using Amazon.DynamoDBv2;
using Amazon.Runtime;
using PayMyInvoice.Infrastructure.Aws;

namespace PayMyInvoice.Infrastructure.DynamoDb;

/// <summary>Builds the DynamoDB client once per execution environment; <c>AWS_ENDPOINT_URL_DYNAMODB</c> points it at DynamoDB Local.</summary>
public static class DynamoDbClients
{
    public const string EndpointVariable = "AWS_ENDPOINT_URL_DYNAMODB";

    /// <param name="forHttp">
    /// For an HTTP function (10 s, less the host's 1 s margin): fail in seconds, not minutes, when the table cannot be
    /// reached, so the caller gets a 503 with Retry-After rather than a gateway timeout. The SDK's defaults are no
    /// connect timeout, 100 s per attempt and 4 attempts for DynamoDB; here 1 s to connect, 3 s per attempt and 2
    /// attempts (standard mode, jittered backoff): at most about 6.5 s. A single-item call takes milliseconds. Workers
    /// keep the defaults: they have minutes, and a retry there is cheaper than a failed batch.
    /// </param>
    public static AmazonDynamoDBClient FromSettings(AwsSettings aws, bool forHttp = false)
    {
        ArgumentNullException.ThrowIfNull(aws);
        var config = new AmazonDynamoDBConfig();
        if (forHttp)
        {
            config.ConnectTimeout = TimeSpan.FromSeconds(1);
            config.Timeout = TimeSpan.FromSeconds(3);
            config.MaxErrorRetry = 1;
            config.RetryMode = RequestRetryMode.Standard;
        }

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
