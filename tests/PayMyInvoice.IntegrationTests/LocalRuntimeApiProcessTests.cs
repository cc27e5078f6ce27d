using System.Diagnostics;
using System.Text.Json.Nodes;
using PayMyInvoice.Local.RuntimeApi;
using PayMyInvoice.Tests;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// The Api executable as its own process behind the local Runtime API, as the benchmark runs each packaged function:
/// init timed to the first <c>next</c>, the warm-up ping, a real read of DynamoDB Local, and events back-to-back.
/// </summary>
[Collection(LocalServicesCollection.Name)]
public sealed class LocalRuntimeApiProcessTests(LocalServicesFixture local)
{
    [Fact]
    public async Task The_api_executable_inits_answers_the_warm_up_ping_and_reads_DynamoDB_Local()
    {
        var deployment = await local.DeployFreshStageAsync();
        await using var runtime = await LocalRuntimeApi.StartAsync("getInvoice");
        var spawned = Stopwatch.GetTimestamp();
        using var process = RuntimeApiCalls.StartExecutable("PayMyInvoice.Api.dll", runtime.Address, deployment.Config.Function("getInvoice").Environment,
            ("AWS_ENDPOINT_URL_DYNAMODB", local.Services.DynamoDb.ToString()),
            ("PAY_LINK_SECRET", PayMyInvoice.Local.LocalDeployment.PayLinkSecret),
            ("PAY_LINK_BASE", "https://api.example.test/dev/"));
        try
        {
            var init = await runtime.FirstNextAsync(spawned, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            Assert.InRange(init, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(60));

            var warm = await runtime.InvokeAsync("""{"source":"serverless-plugin-warmup"}""");
            Assert.Equal("""{"warmed":true}""", warm.Text);

            var request = ApiCalls.Event("GET", "/invoices/inv_missing", id: "inv_missing");
            var reply = await runtime.InvokeAsync(System.Text.Json.JsonSerializer.Serialize(request, PayMyInvoice.Contracts.ContractsJsonContext.Wire.APIGatewayProxyRequest));

            Assert.Equal(InvocationOutcome.Response, reply.Outcome);
            Assert.Equal(404, JsonNode.Parse(reply.Text)!["statusCode"]!.GetValue<int>()); // answered by a GetItem on DynamoDB Local
            Assert.True(warm.CompletedAt <= reply.QueuedAt && reply.HandedOutAt <= reply.CompletedAt);
            Assert.InRange(reply.Duration, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(30));
        }
        finally
        {
            process.Kill();
        }
    }

    [Fact]
    public async Task Two_hundred_events_queued_at_once_are_handed_out_back_to_back_in_order()
    {
        await using var runtime = await LocalRuntimeApi.StartAsync("getInvoice");
        // Warm-up pings never touch the table: no services needed, only what init checks.
        using var process = RuntimeApiCalls.StartExecutable("PayMyInvoice.Api.dll", runtime.Address, new Dictionary<string, string>
        {
            ["PMI_FUNCTION"] = "getInvoice",
            ["INVOICES_TABLE"] = "invoices",
            ["PAY_LINK_SECRET"] = PayMyInvoice.Local.LocalDeployment.PayLinkSecret,
            ["PAY_LINK_BASE"] = "https://api.example.test/dev/",
        });
        try
        {
            var calls = Enumerable.Range(0, 200).Select(_ => runtime.InvokeAsync("""{"source":"serverless-plugin-warmup"}""")).ToList();
            var results = await Task.WhenAll(calls);

            Assert.All(results, r => Assert.Equal("""{"warmed":true}""", r.Text));
            Assert.Equal(200, results.Select(r => r.RequestId).Distinct().Count());
            // One environment serves one event at a time: each is handed out only after the previous one was answered.
            for (var i = 1; i < results.Length; i++)
            {
                Assert.True(results[i - 1].CompletedAt <= results[i].HandedOutAt, $"event {i} handed out before event {i - 1} was answered");
            }
        }
        finally
        {
            process.Kill();
        }
    }
}
