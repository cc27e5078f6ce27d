using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Bench.Cost;

/// <summary>
/// Issue 8 item 5: the monthly Lambda + API Gateway + SQS + SNS + DynamoDB on-demand cost of 10k, 1M and 10M paid
/// invoices a month, with and without serverless-plugin-warmup, from serverless.yml and the measured durations, at
/// <see cref="Prices"/>; and memory sizes chosen from the same measurements.
/// </summary>
public static class CostModel
{
    public static readonly IReadOnlyList<long> Volumes = [10_000, 1_000_000, 10_000_000];

    /// <summary>The per-invoice traffic the rows assume, a few lines for results.md.</summary>
    public static string TrafficModel => Traffic.Describe();

    /// <summary>Rows for 10k, 1M and 10M paid invoices a month, each with warm-up on (as prod: <c>${param:warmup}</c> true) and off.</summary>
    public static IReadOnlyList<CostRow> Estimate(ServerlessConfig config, IReadOnlyDictionary<string, MeasuredFunction> measured) =>
        Estimate(config, measured, Volumes);

    public static IReadOnlyList<CostRow> Estimate(ServerlessConfig config, IReadOnlyDictionary<string, MeasuredFunction> measured, IEnumerable<long> volumes)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(measured);
        ArgumentNullException.ThrowIfNull(volumes);
        return [.. volumes.SelectMany(n => new[] { Row(config, measured, n, warmUp: true), Row(config, measured, n, warmUp: false) })];
    }

    /// <summary>A memory size per measured function, with the numbers behind it (see <see cref="MemoryAdvisor"/>).</summary>
    public static IReadOnlyList<MemoryAdvice> AdviseMemory(ServerlessConfig config, IReadOnlyDictionary<string, MeasuredFunction> measured)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(measured);
        return [.. config.FunctionNames.Where(measured.ContainsKey).Select(name => MemoryAdvisor.Advise(config, name, measured[name]))];
    }

    public static string ToMarkdown(IEnumerable<CostRow> rows) => CostTable.ToMarkdown(rows);

    private static CostRow Row(ServerlessConfig config, IReadOnlyDictionary<string, MeasuredFunction> measured, long paidInvoices, bool warmUp)
    {
        var workload = Workload.For(config, paidInvoices);
        var lambda = LambdaBill.For(config, measured, workload, warmUp);
        var api = Prices.RestApi(workload.ApiCalls);
        var sqs = (decimal)workload.SqsRequests * Prices.SqsPerRequest;
        var sns = (decimal)workload.SnsPublishes * Prices.SnsPerPublish;
        var storage = ((decimal)workload.StorageGb * Prices.DynamoDbPerGbMonth) + ((decimal)workload.PitrGb * Prices.DynamoDbPitrPerGbMonth);
        var dynamo = ((decimal)workload.Wru * Prices.DynamoDbPerWru) + ((decimal)workload.Rru * Prices.DynamoDbPerRru) + storage;
        return new CostRow(paidInvoices, warmUp, Round(lambda.Total), Round(api), Round(sqs), Round(sns), Round(dynamo), Round(lambda.Total + api + sqs + sns + dynamo))
        {
            WarmUpCost = Round(lambda.WarmUpCost),
            DynamoDbStorage = Round(storage),
            ApiCalls = workload.ApiCalls,
            ColdStarts = lambda.Functions.Sum(f => f.ColdStarts),
            Functions = lambda.Functions,
            Notes = lambda.Notes,
        };
    }

    /// <summary>To the cent's hundredth: small volumes cost fractions of a cent per service.</summary>
    private static decimal Round(decimal usd) => Math.Round(usd, 4, MidpointRounding.AwayFromZero);
}
