using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsCheck;
using PayMyInvoice.Local.RuntimeApi;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>
/// Issue 9, item 4, for the host itself: every function of serverless.yml runs as its own process behind the local
/// Runtime API, as in Lambda, and is handed generated garbage: random bytes, text that is not JSON, JSON of the wrong
/// shape, deep nesting, and its own mock event truncated or with bytes flipped. Each event is answered (a response or an
/// invocation error) before its deadline, and the process lives on to answer the next one and a warm-up ping: the
/// loop never crashes and never hangs.
/// </summary>
[Collection(LocalServicesCollection.Name)]
[Trait("Category", ReliabilityRun.Category)]
public sealed class HostLoopTests(LocalServicesFixture local)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Every_function_process_answers_garbage_events_and_keeps_serving()
    {
        var perFunction = ReliabilityRun.Pick(test: 15, quick: 60, full: 1_000);
        await using var stripe = await PayMyInvoice.StripeEmulator.StripeEmulatorServer.StartAsync(); // a mutated event may still charge
        var deployment = await local.DeployFreshStageAsync(stripe.BaseUrl);
        var figures = new Dictionary<string, object>();
        var (cases, crashes) = (0, 0);
        foreach (var function in deployment.Config.FunctionNames)
        {
            var mock = await File.ReadAllBytesAsync(Path.Combine(PayMyInvoice.Local.RepositoryRoot.Find(), "mocks", $"{function}.json"));
            await using var runtime = await LocalRuntimeApi.StartAsync(function);
            using var process = RuntimeApiCalls.StartExecutable(Executable(deployment.Config.Function(function).Artifact!), runtime.Address, deployment.FunctionVariables(function));
            var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
            var failures = new List<string>();
            try
            {
                await Garbage(mock).SampleAsync(
                    async payload =>
                    {
                        var outcome = await AnswerAsync(runtime, process, payload);
                        outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                        if (outcome is "crashed" or "timed out" || await AnswerAsync(runtime, process, WarmUpPing) != "Response")
                        {
                            failures.Add($"{outcome} on {Preview(payload)}");
                        }
                    },
                    iter: perFunction,
                    threads: 1);
            }
            finally
            {
                process.Kill(entireProcessTree: true);
            }

            cases += perFunction;
            crashes += failures.Count;
            figures[function] = new { outcomes, failures = failures.Take(3) };
        }

        ReliabilityRun.Record("hostile", "host-loop", new { cases, serverErrors = crashes, functions = figures });
        Assert.True(crashes == 0, string.Join("\n", figures.Select(f => $"{f.Key}: {System.Text.Json.JsonSerializer.Serialize(f.Value)}")));
    }

    private static readonly byte[] WarmUpPing = """{"source":"serverless-plugin-warmup"}"""u8.ToArray();

    /// <summary>"Response", "Error", "timed out" or "crashed" (the process exited).</summary>
    private static async Task<string> AnswerAsync(LocalRuntimeApi runtime, Process process, byte[] payload)
    {
        if (process.HasExited)
        {
            return "crashed";
        }

        using var handOut = new CancellationTokenSource(Deadline);
        try
        {
            var result = await runtime.InvokeAsync(payload, Deadline, cancellationToken: handOut.Token);
            return result.Outcome == InvocationOutcome.TimedOut ? "timed out" : result.Outcome.ToString();
        }
        catch (OperationCanceledException)
        {
            return process.HasExited ? "crashed" : "timed out";
        }
    }

    /// <summary>The deployable a function ships in (package.artifact artifacts/api.zip → PayMyInvoice.Api.dll), as dotnet exec runs it.</summary>
    private static string Executable(string artifact) =>
        $"PayMyInvoice.{CultureInfo.InvariantCulture.TextInfo.ToTitleCase(Path.GetFileNameWithoutExtension(artifact))}.dll";

    private static Gen<byte[]> Garbage(byte[] mock) => Gen.OneOf(
        Gen.Byte.Array[0, 4_096],
        Gen.String[0, 300].Select(s => Encoding.UTF8.GetBytes(s)),
        Gen.OneOf(Gen.Const("null"), Gen.Const("[]"), Gen.Const("{}"), Gen.Const("1e400"), Gen.Const("\"text\""), Gen.Const("""{"Records":null}"""),
            Gen.Const("""{"Records":[null,1,"x",{}]}"""), Gen.Const("""{"httpMethod":5,"requestContext":[]}"""), Gen.Const("""{"body":{"nested":true}}"""),
            Gen.Const("""{"source":"serverless-plugin-warmup","extra":"\ud800"}""")).Select(s => Encoding.UTF8.GetBytes(s)),
        Gen.Int[1, 100_000].Select(depth => Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth))),
        Gen.Int[0, mock.Length].Select(length => mock[..length]),
        Gen.Select(Gen.Int[0, Math.Max(0, mock.Length - 1)], Gen.Byte, (at, value) =>
        {
            var flipped = mock.ToArray();
            if (flipped.Length > 0)
            {
                flipped[at] = value;
            }

            return flipped;
        }));

    private static string Preview(byte[] payload) => Convert.ToBase64String(payload[..Math.Min(payload.Length, 60)]) + (payload.Length > 60 ? $"… ({payload.Length} bytes)" : "");
}
