namespace PayMyInvoice.Local;

/// <summary>Where the local stand-ins listen: DynamoDB Local, fauxqs for SNS and SQS, and when they run, the Stripe emulator and an SMTP server.</summary>
public sealed record LocalEndpoints(Uri DynamoDb, Uri Fauxqs, Uri? Stripe = null, Uri? Smtp = null)
{
    /// <summary>From <c>AWS_ENDPOINT_URL_DYNAMODB</c> and <c>AWS_ENDPOINT_URL_SNS</c>, when both are set.</summary>
    public static LocalEndpoints? FromEnvironment() =>
        Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB") is { Length: > 0 } dynamo
        && Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_SNS") is { Length: > 0 } fauxqs
            ? new LocalEndpoints(
                new Uri(dynamo),
                new Uri(fauxqs),
                Environment.GetEnvironmentVariable("STRIPE_API_BASE") is { Length: > 0 } stripe ? new Uri(stripe) : null,
                Environment.GetEnvironmentVariable("SMTP_URL") is { Length: > 0 } smtp ? new Uri(smtp) : null)
            : null;
}
