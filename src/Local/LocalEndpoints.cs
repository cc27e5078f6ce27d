namespace PayMyInvoice.Local;

/// <summary>Where the local stand-ins listen: DynamoDB Local, and fauxqs for SNS and SQS.</summary>
public sealed record LocalEndpoints(Uri DynamoDb, Uri Fauxqs)
{
    /// <summary>From <c>AWS_ENDPOINT_URL_DYNAMODB</c> and <c>AWS_ENDPOINT_URL_SNS</c>, when both are set.</summary>
    public static LocalEndpoints? FromEnvironment() =>
        Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB") is { Length: > 0 } dynamo
        && Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_SNS") is { Length: > 0 } fauxqs
            ? new LocalEndpoints(new Uri(dynamo), new Uri(fauxqs))
            : null;
}
