namespace PayMyInvoice.Bench.Cost;

/// <summary>
/// AWS's published on-demand prices for us-east-1, in USD, checked on 2026-11-28 (the date of this model's searches)
/// through the stored copies of the pages named. Free tiers are ignored throughout: the model prices a steady
/// production month, and a free tier is a one-off per account. Where a figure could not be confirmed from a page, the
/// comment says so.
/// </summary>
public static class Prices
{
    /// <summary>A month as AWS's pricing examples count it: 730 hours.</summary>
    public const double HoursPerMonth = 730;

    // ---- Lambda: https://aws.amazon.com/lambda/pricing/ (stored copy via web.archive.org, 2026-06-18; the tier figures
    // also at https://cloudchipr.com/blog/aws-lambda-pricing and
    // https://vuink.com/...introducing-tiered-pricing-for-aws-lambda, the AWS Compute Blog post of 2022).

    /// <summary>Per request, either architecture: $0.20 per million.</summary>
    public const decimal LambdaPerRequest = 0.20m / 1_000_000m;

    /// <summary>x86_64 duration per GB-s: first 6 billion GB-s a month.</summary>
    public const decimal LambdaX86Tier1PerGbSecond = 0.0000166667m;

    /// <summary>x86_64: next 9 billion GB-s.</summary>
    public const decimal LambdaX86Tier2PerGbSecond = 0.000015m;

    /// <summary>x86_64: over 15 billion GB-s.</summary>
    public const decimal LambdaX86Tier3PerGbSecond = 0.0000133334m;

    /// <summary>arm64 duration per GB-s: first 7.5 billion GB-s a month.</summary>
    public const decimal LambdaArmTier1PerGbSecond = 0.0000133334m;

    /// <summary>arm64: next 11.25 billion GB-s.</summary>
    public const decimal LambdaArmTier2PerGbSecond = 0.0000120001m;

    /// <summary>
    /// arm64: over 18.75 billion GB-s. Not confirmed: the stored page cut off before this tier; $0.0000106667 is the
    /// figure AWS's pricing page gave when tiers were introduced (20% under x86's third tier, as the other tiers are).
    /// </summary>
    public const decimal LambdaArmTier3PerGbSecond = 0.0000106667m;

    public const double LambdaX86Tier1GbSeconds = 6e9;
    public const double LambdaX86Tier2GbSeconds = 9e9;
    public const double LambdaArmTier1GbSeconds = 7.5e9;
    public const double LambdaArmTier2GbSeconds = 11.25e9;

    /// <summary>
    /// Lambda bills the INIT phase of every on-demand cold start, managed runtimes included, since 2025-08-01 (AWS Compute
    /// Blog, "AWS Lambda standardizes billing for INIT phase", 2025-04-29, stored at
    /// https://vuink.com/post/njf-d-dnznmba-d-dpbz/blogs/compute/aws-lambda-standardizes-billing-for-init-phase; custom
    /// runtimes such as provided.al2023 were billed for INIT before that already). The model bills INIT at the duration price.
    /// </summary>
    public const bool LambdaBillsInit = true;

    // ---- API Gateway: https://aws.amazon.com/api-gateway/pricing/ and the AWS whitepaper "Best Practices for Designing
    // Amazon API Gateway Private APIs", Cost optimization, Table 4
    // (https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html).
    // serverless.yml's `http` events make a REST API (v1), not an HTTP API.

    /// <summary>REST API calls: first 333 million a month, $3.50 per million.</summary>
    public const decimal RestApiTier1PerRequest = 3.50m / 1_000_000m;

    /// <summary>REST API calls: next 667 million, $2.80 per million.</summary>
    public const decimal RestApiTier2PerRequest = 2.80m / 1_000_000m;

    public const double RestApiTier1Requests = 333e6;

    // ---- SQS: https://aws.amazon.com/sqs/pricing/ as summarised at https://cloudburn.io/blog/amazon-sqs-pricing
    // ("as of March 2026") and https://www.factualminds.com/blog/amazon-sqs-pricing-64kb-rule-fifo-vs-standard/ (2026-06-13).

    /// <summary>Standard queue: $0.40 per million requests (first 100 billion); each 64 KB chunk of a payload is a request.</summary>
    public const decimal SqsPerRequest = 0.40m / 1_000_000m;

    /// <summary>Payload bytes billed as one SQS request.</summary>
    public const int SqsChunkBytes = 64 * 1024;

    // ---- SNS: https://aws.amazon.com/sns/pricing/ as summarised at
    // https://www.factualminds.com/blog/amazon-sns-pricing-publishes-fanout-protocols/ (2026-06-13).

    /// <summary>Standard topic: $0.50 per million publishes (each 64 KB chunk a publish).</summary>
    public const decimal SnsPerPublish = 0.50m / 1_000_000m;

    /// <summary>
    /// Deliveries from SNS to SQS: no SNS charge. Not confirmed from a stored page (the SNS pricing page's "no charge for
    /// deliveries to SQS queues" line was not among the search results); the receiving queue bills the SendMessage
    /// request, which <see cref="CostModel"/> counts under SQS.
    /// </summary>
    public const decimal SnsPerSqsDelivery = 0m;

    // ---- DynamoDB on-demand: https://aws.amazon.com/dynamodb/pricing/on-demand/ after the 50% cut effective
    // 2024-11-01, as summarised at https://airbyte.com/data-engineering-resources/dynamodb-pricing (2025-07-21) and
    // https://www.jusdb.com/blog/dynamodb-cost-optimization-a-comprehensive-guide-by-jusdb (2025-08-19).

    /// <summary>$0.625 per million write request units (1 WRU = a write of up to 1 KB; transactional writes take 2).</summary>
    public const decimal DynamoDbPerWru = 0.625m / 1_000_000m;

    /// <summary>$0.125 per million read request units (1 RRU = a strongly consistent read of up to 4 KB, or two eventually consistent ones).</summary>
    public const decimal DynamoDbPerRru = 0.125m / 1_000_000m;

    /// <summary>
    /// Standard table class storage, $0.25 per GB-month (the first 25 GB free, ignored). Not confirmed by this
    /// session's searches; it is the long-standing us-east-1 figure on the pricing page.
    /// </summary>
    public const decimal DynamoDbPerGbMonth = 0.25m;

    /// <summary>
    /// Point-in-time recovery (continuous backups), $0.20 per GB-month of table size: the invoices table enables it.
    /// Not confirmed by this session's searches; the long-standing us-east-1 figure.
    /// </summary>
    public const decimal DynamoDbPitrPerGbMonth = 0.20m;

    /// <summary>Reads of a table's stream by a Lambda trigger: free (DynamoDB pricing page, "DynamoDB Streams").</summary>
    public const decimal DynamoDbStreamReadByLambda = 0m;

    /// <summary>Lambda's duration price per GB-s for this much GB-s in a month, tiered as published.</summary>
    public static decimal LambdaDuration(double gbSeconds, string architecture)
    {
        var arm = string.Equals(architecture, "arm64", StringComparison.Ordinal);
        var (tier1, tier2) = arm ? (LambdaArmTier1GbSeconds, LambdaArmTier2GbSeconds) : (LambdaX86Tier1GbSeconds, LambdaX86Tier2GbSeconds);
        var (p1, p2, p3) = arm
            ? (LambdaArmTier1PerGbSecond, LambdaArmTier2PerGbSecond, LambdaArmTier3PerGbSecond)
            : (LambdaX86Tier1PerGbSecond, LambdaX86Tier2PerGbSecond, LambdaX86Tier3PerGbSecond);
        var first = Math.Min(gbSeconds, tier1);
        var second = Math.Clamp(gbSeconds - tier1, 0, tier2);
        var rest = Math.Max(0, gbSeconds - tier1 - tier2);
        return ((decimal)first * p1) + ((decimal)second * p2) + ((decimal)rest * p3);
    }

    /// <summary>API Gateway REST API request charges for this many calls in a month.</summary>
    public static decimal RestApi(double requests) =>
        ((decimal)Math.Min(requests, RestApiTier1Requests) * RestApiTier1PerRequest)
        + ((decimal)Math.Max(0, requests - RestApiTier1Requests) * RestApiTier2PerRequest);
}
