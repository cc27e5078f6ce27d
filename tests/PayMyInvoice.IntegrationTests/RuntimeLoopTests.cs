using System.Text.Json.Nodes;
using PayMyInvoice.Lambda;
using PayMyInvoice.Local.RuntimeApi;

namespace PayMyInvoice.IntegrationTests;

/// <summary>The function host's Runtime API loop, against the Runtime API served over real HTTP.</summary>
public sealed class RuntimeLoopTests : IAsyncLifetime
{
    private LocalRuntimeApi _runtime = null!;
    private readonly CancellationTokenSource _stop = new();
    private readonly StringWriter _logs = new();
    private int _calls;

    public async Task InitializeAsync() => _runtime = await LocalRuntimeApi.StartAsync("test");

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _runtime.DisposeAsync();
        _stop.Dispose();
    }

    [Fact]
    public async Task Each_event_is_answered_with_the_function_result_and_the_invocation_context()
    {
        var loop = Run(() => Function((payload, context) =>
        {
            Interlocked.Increment(ref _calls);
            context.Logger.LogInformation("handled");
            return new JsonObject
            {
                ["echo"] = JsonNode.Parse(payload),
                ["requestId"] = context.AwsRequestId,
                ["remainingMs"] = context.RemainingTime.TotalMilliseconds,
                ["trace"] = Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID"),
                ["arn"] = context.InvokedFunctionArn,
            };
        }));

        var first = await _runtime.InvokeAsync("""{"n":1}""", timeout: TimeSpan.FromSeconds(20), traceId: "Root=1-5759e988-bd862e3fe1be46a994272793");
        var second = await _runtime.InvokeAsync("""{"n":2}""");

        var answer = JsonNode.Parse(first.Text)!;
        Assert.False(first.IsError);
        Assert.Equal(1, answer["echo"]!["n"]!.GetValue<int>());
        Assert.InRange(answer["remainingMs"]!.GetValue<double>(), 15_000, 20_000);
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793", answer["trace"]!.GetValue<string>());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:test", answer["arn"]!.GetValue<string>());
        Assert.Equal(2, JsonNode.Parse(second.Text)!["echo"]!["n"]!.GetValue<int>());
        Assert.NotEqual(answer["requestId"]!.GetValue<string>(), JsonNode.Parse(second.Text)!["requestId"]!.GetValue<string>());

        var lines = _logs.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal([true, false], lines.Select(l => l["cold_start"]!.GetValue<bool>()));
        Assert.Equal(answer["requestId"]!.GetValue<string>(), lines[0]["function_request_id"]!.GetValue<string>());
        await StopAsync(loop);
    }

    [Fact]
    public async Task A_throwing_function_is_reported_as_an_invocation_error_and_the_loop_goes_on()
    {
        var loop = Run(() => Function((payload, _) => payload.Contains("boom", StringComparison.Ordinal)
            ? throw new InvalidOperationException("the function broke")
            : new JsonObject { ["ok"] = true }));

        var failed = await _runtime.InvokeAsync("""{"boom":true}""");
        var next = await _runtime.InvokeAsync("""{}""");

        Assert.True(failed.IsError);
        Assert.Equal("InvalidOperationException", failed.ErrorType);
        Assert.Equal("application/vnd.aws.lambda.error+json", failed.ContentType);
        var error = JsonNode.Parse(failed.Text)!;
        Assert.Equal("the function broke", error["errorMessage"]!.GetValue<string>());
        Assert.Equal("InvalidOperationException", error["errorType"]!.GetValue<string>());
        Assert.NotEmpty(error["stackTrace"]!.AsArray());
        Assert.False(next.IsError);
        await StopAsync(loop);
    }

    [Fact]
    public async Task The_function_gets_a_token_that_fires_before_the_Lambda_Runtime_Deadline_Ms_it_was_sent()
    {
        var loop = Run(() => new UntilCancelled());
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var reply = await _runtime.InvokeAsync("{}", timeout: TimeSpan.FromSeconds(3));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3) - LambdaHost.CancelBeforeDeadline - TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(3));
        Assert.True(reply.IsError);
        Assert.Equal("TaskCanceledException", reply.ErrorType);
        await StopAsync(loop);
    }

    [Fact]
    public async Task A_warm_up_ping_is_answered_without_calling_the_function()
    {
        var loop = Run(() => Function((_, _) =>
        {
            Interlocked.Increment(ref _calls);
            return new JsonObject();
        }));

        var byPayload = await _runtime.InvokeAsync("""{"source":"serverless-plugin-warmup"}""");
        var byClientContext = await _runtime.InvokeAsync("{}", clientContext: """{"custom":{"source":"serverless-plugin-warmup"}}""");

        Assert.Equal("""{"warmed":true}""", byPayload.Text);
        Assert.Equal("""{"warmed":true}""", byClientContext.Text);
        Assert.Equal(0, _calls);
        await _runtime.InvokeAsync("{}");
        Assert.Equal(1, _calls);
        await StopAsync(loop);
    }

    [Fact]
    public async Task A_failing_init_is_reported_to_init_error_and_the_process_exits()
    {
        var exit = await Run(() => throw new InvalidOperationException("INVOICES_TABLE is not set"));

        Assert.Equal(1, exit);
        var error = await _runtime.InitError;
        Assert.Equal("InvalidOperationException", error.ErrorType);
        Assert.Equal("INVOICES_TABLE is not set", JsonNode.Parse(error.Text)!["errorMessage"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_500_from_the_Runtime_API_ends_the_loop()
    {
        var loop = Run(() => Function((_, _) => new JsonObject()));
        await _runtime.InvokeAsync("{}");
        await _runtime.DisposeAsync(); // further /next calls fail: the environment is shutting down
        Assert.Equal(1, await loop.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private Task<int> Run(Func<ILambdaFunction> init)
    {
        var environment = new FunctionEnvironment { FunctionName = "test" };
        var host = new LambdaHost(environment, new JsonLogger(environment, _logs, TimeProvider.System), TimeProvider.System);
        var client = new RuntimeApiClient(_runtime.Address);
        return Task.Run(async () =>
        {
            using (client)
            {
                return await host.RunAsync(client, init, _stop.Token);
            }
        });
    }

    private async Task StopAsync(Task<int> loop)
    {
        await _stop.CancelAsync();
        Assert.Equal(0, await loop.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static ILambdaFunction Function(Func<string, ILambdaContext, JsonObject> handler) => new RawFunction(handler);

    /// <summary>Runs until its invocation's token fires.</summary>
    private sealed class UntilCancelled : ILambdaFunction
    {
        public async Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return [];
        }
    }

    private sealed class RawFunction(Func<string, ILambdaContext, JsonObject> handler) : ILambdaFunction
    {
        public Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken) =>
            Task.FromResult(System.Text.Encoding.UTF8.GetBytes(handler(System.Text.Encoding.UTF8.GetString(payload.Span), context).ToJsonString()));
    }
}
