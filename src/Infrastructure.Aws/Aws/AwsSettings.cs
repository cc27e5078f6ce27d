using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace PayMyInvoice.Infrastructure.Aws;

/// <summary>
/// Region, credentials and endpoints from a function's settings (the process environment in Lambda; serverless.yml's
/// resolved environment locally). <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c> is the SDKs' standard override.
/// </summary>
public sealed class AwsSettings(Func<string, string?> settings)
{
    public string Region => settings("AWS_REGION") ?? "us-east-1";

    public RegionEndpoint RegionEndpoint => RegionEndpoint.GetBySystemName(Region);

    /// <summary>The overriding endpoint for a service (<c>DYNAMODB</c>, <c>SNS</c>, <c>SQS</c>), or null for AWS's own.</summary>
    public Uri? Endpoint(string service) =>
        settings("AWS_ENDPOINT_URL_" + service.ToUpperInvariant()) is { Length: > 0 } url ? new Uri(url) : null;

    /// <summary>Explicit keys when the settings carry them; otherwise null, and SDK clients resolve their default chain themselves.</summary>
    public AWSCredentials? ExplicitCredentials() =>
        settings("AWS_ACCESS_KEY_ID") is { } key && settings("AWS_SECRET_ACCESS_KEY") is { } secret
            ? settings("AWS_SESSION_TOKEN") is { } token ? new SessionAWSCredentials(key, secret, token) : new BasicAWSCredentials(key, secret)
            : null;

    /// <summary>Explicit keys, else the SDK's default chain (Lambda's role in AWS), for hand-signed requests.</summary>
    public AWSCredentials Credentials() => ExplicitCredentials() ?? DefaultAWSCredentialsIdentityResolver.GetCredentials(null);

    public string Required(string name) =>
        settings(name) ?? throw new InvalidOperationException($"{name} is not set; serverless.yml sets it for the functions that need it.");
}
