using PayMyInvoice.Bench.Cost;
using PayMyInvoice.Local;
using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.UnitTests.Bench;

/// <summary>The monthly cost model (issue 8 item 5): its arithmetic against the published prices, and its memory advice.</summary>
public sealed class CostModelTests
{
    // One warmed managed worker at 512 MB and one Native AOT HTTP function at the provider's 256 MB.
    private const string SmallConfig = """
        service: costs
        params:
          default:
            warmup: true
          dev:
            warmup: false
        custom:
          warmup:
            default:
              enabled: false
              events:
                - schedule: rate(5 minutes)
              concurrency: 1
        provider:
          name: aws
          runtime: provided.al2023
          architecture: x86_64
          memorySize: 256
        functions:
          createInvoice:
            handler: bootstrap
            events:
              - http: { path: invoices, method: post }
          billingWorker:
            handler: PayMyInvoice.Billing
            runtime: dotnet10
            memorySize: 512
            warmup:
              default:
                enabled: ${param:warmup}
        """;

    private static ServerlessConfig Small()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cost-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, SmallConfig);
        try
        {
            return ServerlessConfig.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static ServerlessConfig Real() => ServerlessConfig.Load(Path.Combine(RepositoryRoot.Find(), "serverless.yml"));

    private static MeasuredFunction Io(string name) => new(name, WarmP50Ms: 10, CpuMsPerInvoke: 2, ColdInitMs: 0, ColdTotalMs: 0, WarmUpPingUs: 500, PeakRssMiB: 40);

    /// <summary>Every function of the real serverless.yml, measured alike: a mostly-waiting 10 ms call, a 150 ms cold start.</summary>
    private static Dictionary<string, MeasuredFunction> AllMeasured(ServerlessConfig config) =>
        config.FunctionNames.ToDictionary(n => n, n => new MeasuredFunction(n, 10, 2, 120, 150, 300, 45), StringComparer.Ordinal);

    [Fact]
    public void Serverless_config_reads_memory_runtime_architecture_and_warm_up()
    {
        var config = Real();
        var worker = config.Function("billingWorker");
        Assert.Equal((256, "provided.al2023", "x86_64"), (worker.MemorySize, worker.Runtime, worker.Architecture));
        var warmUp = Assert.Single(config.WarmUp("billingWorker"));
        Assert.Equal(("default", "${param:warmup}", false), (warmUp.Warmer, warmUp.EnabledExpression, warmUp.Enabled)); // dev turns it off
        Assert.True(ServerlessConfig.Load(Path.Combine(RepositoryRoot.Find(), "serverless.yml"), new Dictionary<string, string> { ["stage"] = "prod" }).WarmUp("billingWorker")[0].Enabled);
        Assert.Equal(("provided.al2023", 256), (config.Function("getInvoice").Runtime, config.Function("getInvoice").MemorySize));

        var warmer = config.Warmer("default");
        Assert.Equal(["rate(5 minutes)"], warmer.Schedules);
        Assert.Equal((1, 128, TimeSpan.FromSeconds(10), "x86_64", false), (warmer.Concurrency, warmer.MemorySizeMb, warmer.Timeout, warmer.Architecture, warmer.EnabledByDefault));
    }

    [Fact]
    public void Duration_is_priced_per_GB_second_in_the_published_tiers()
    {
        Assert.Equal(0.0166667m, Prices.LambdaDuration(1000, "x86_64"));
        Assert.Equal(0.0133334m, Prices.LambdaDuration(1000, "arm64"));
        Assert.Equal((6e9m * 0.0000166667m) + (1e9m * 0.000015m), Prices.LambdaDuration(7e9, "x86_64"));
    }

    [Fact]
    public void A_function_bills_its_modelled_duration_at_its_memory()
    {
        // createInvoice at 256 MB: 8 ms waiting + 2 ms CPU × 1769/256 = 21.8 ms, billed 22 ms; 10k calls; no cold start cost.
        var row = CostModel.Estimate(Small(), new Dictionary<string, MeasuredFunction> { ["createInvoice"] = Io("createInvoice") }, [10_000]).Single(r => !r.WarmUp);
        var create = row.Functions.Single(f => f.Function == "createInvoice");
        Assert.Equal(10_000, create.Invocations);
        Assert.Equal(10_000 * 0.022 * 256 / 1024, create.GbSeconds, 6);
        Assert.Equal((10_000 * Prices.LambdaPerRequest) + (55m * Prices.LambdaX86Tier1PerGbSecond), create.Cost, 6);
    }

    [Fact]
    public void Warm_up_adds_its_fixed_ping_and_warmer_cost_whatever_the_traffic()
    {
        var config = Small();
        var measured = new Dictionary<string, MeasuredFunction> { ["billingWorker"] = Io("billingWorker"), ["createInvoice"] = Io("createInvoice") };
        var rows = CostModel.Estimate(config, measured);

        // rate(5 minutes): 8,760 pings in a 730-hour month. A 500 µs ping at 512 MB (×1769/512) bills 2 ms.
        const decimal pings = 8760;
        var ping = pings * (Prices.LambdaPerRequest + (0.002m * 0.5m * Prices.LambdaX86Tier1PerGbSecond));
        // The warmer: 128 MB, 60 + 20 + 2 = 82 ms a run, and its INIT (300 ms) at each of 365 two-hourly recycles.
        var warmer = (pings * Prices.LambdaPerRequest) + ((((pings * 82) + (365 * 300)) / 1000m * 0.125m) * Prices.LambdaX86Tier1PerGbSecond);
        var expected = Math.Round(ping + warmer, 4, MidpointRounding.AwayFromZero);
        Assert.All(rows.Where(r => r.WarmUp), r => Assert.Equal(expected, r.WarmUpCost));
        Assert.All(rows.Where(r => !r.WarmUp), r => Assert.Equal(0m, r.WarmUpCost));
        Assert.All(rows.Where(r => r.WarmUp), r => Assert.Equal(8760, r.Functions.Single(f => f.Function == "billingWorker").WarmUpPings, 6));
        Assert.DoesNotContain(rows.Where(r => r.WarmUp).SelectMany(r => r.Functions), f => f.Function == "createInvoice" && f.WarmUpPings > 0);
    }

    [Fact]
    public void Without_warm_up_a_warmed_function_at_low_traffic_pays_more_cold_starts()
    {
        var rows = CostModel.Estimate(Real(), AllMeasured(Real()), [10_000]);
        double Cold(bool warmUp) => rows.Single(r => r.WarmUp == warmUp).Functions.Single(f => f.Function == "billingWorker").ColdStarts;
        Assert.True(Cold(false) > 3 * Cold(true), $"{Cold(false)} vs {Cold(true)}");
        Assert.Equal(365, Cold(true), 6); // only the two-hourly recycles of the pinged environment
    }

    [Fact]
    public void Cost_grows_with_traffic_in_every_service()
    {
        var rows = CostModel.Estimate(Real(), AllMeasured(Real()));
        Assert.Equal(6, rows.Count);
        foreach (var warmUp in new[] { true, false })
        {
            var byVolume = rows.Where(r => r.WarmUp == warmUp).OrderBy(r => r.PaidInvoicesPerMonth).ToList();
            Assert.Equal([10_000L, 1_000_000L, 10_000_000L], byVolume.Select(r => r.PaidInvoicesPerMonth));
            for (var i = 1; i < byVolume.Count; i++)
            {
                Assert.True(byVolume[i].Lambda > byVolume[i - 1].Lambda);
                Assert.True(byVolume[i].ApiGateway > byVolume[i - 1].ApiGateway);
                Assert.True(byVolume[i].Sqs > byVolume[i - 1].Sqs);
                Assert.True(byVolume[i].Sns > byVolume[i - 1].Sns);
                Assert.True(byVolume[i].DynamoDb > byVolume[i - 1].DynamoDb);
                Assert.True(byVolume[i].Total > byVolume[i - 1].Total);
            }
        }

        Assert.All(rows, r => Assert.Equal(r.Lambda + r.ApiGateway + r.Sqs + r.Sns + r.DynamoDb, r.Total, 3));
        Assert.All(rows.Where(r => r.PaidInvoicesPerMonth < 10_000_000), r => Assert.Empty(r.Notes));
        // 10% of 10M invoices overdue is ~33k reminders a day at 15 ms each: more than the daily run's 120 s timeout.
        Assert.All(rows.Where(r => r.PaidInvoicesPerMonth == 10_000_000), r => Assert.StartsWith("overdueInvoices: a modelled run of", Assert.Single(r.Notes), StringComparison.Ordinal));
    }

    [Fact]
    public void Every_HTTP_call_is_a_REST_API_request_at_350_per_million()
    {
        // Per invoice: create 1, get 2, list 0.5, pay 0.4, payPage 3 × 0.6, payCheckout 0.6, webhooks 0.4 + 2 × 0.6 = 7.9 calls.
        var row = CostModel.Estimate(Real(), AllMeasured(Real()), [1_000_000])[0];
        Assert.Equal(7_900_000, row.ApiCalls, 3);
        Assert.Equal(7.9m * 3.50m, row.ApiGateway);
    }

    [Fact]
    public void A_function_that_was_not_measured_is_named_not_priced_silently()
    {
        var measured = AllMeasured(Real());
        measured.Remove("payCheckout");
        var row = CostModel.Estimate(Real(), measured, [10_000])[0];
        Assert.Contains(row.Notes, n => n.StartsWith("payCheckout", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(200)]
    [InlineData(300)]
    [InlineData(900)]
    public void Memory_advice_keeps_peak_RSS_at_most_half_the_memory(double rssMiB)
    {
        var config = Real();
        var measured = config.FunctionNames.ToDictionary(n => n, n => new MeasuredFunction(n, 12, 1, 80, 100, 200, rssMiB), StringComparer.Ordinal);
        var advice = CostModel.AdviseMemory(config, measured);
        Assert.Equal(config.FunctionNames.Count, advice.Count);
        Assert.All(advice, a => Assert.True(a.SuggestedMb >= 2 * rssMiB, $"{a.Function}: {a.SuggestedMb} MB for {rssMiB} MiB RSS"));
        Assert.All(advice, a => Assert.Contains("MB", a.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Memory_advice_gives_a_waiting_function_little_and_a_computing_one_more()
    {
        var config = Real();
        var advice = CostModel.AdviseMemory(config, new Dictionary<string, MeasuredFunction>
        {
            // 20 ms waiting on DynamoDB, 0.3 ms CPU: 128 MB adds 3.9 ms, inside the 10 ms allowance.
            ["getInvoice"] = new("getInvoice", 20.3, 0.3, 40, 60, 100, 30),
            // 30 ms of CPU: even 1024 MB stretches 35 ms to ~57 ms, past the 45 ms allowed, so the largest size tried.
            ["notifications"] = new("notifications", 35, 30, 50, 90, 100, 30),
        });
        Assert.Equal(128, advice.Single(a => a.Function == "getInvoice").SuggestedMb);
        Assert.Equal(1024, advice.Single(a => a.Function == "notifications").SuggestedMb);
    }

    [Fact]
    public void The_table_and_traffic_model_are_printable()
    {
        var rows = CostModel.Estimate(Real(), AllMeasured(Real()));
        var table = CostModel.ToMarkdown(rows);
        Assert.Equal(2 + rows.Count, table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("| 10,000,000 | off |", table, StringComparison.Ordinal);
        Assert.Contains("createInvoice", CostModel.TrafficModel, StringComparison.Ordinal);
    }
}
