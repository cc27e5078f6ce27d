using PayMyInvoice.Bench;
using PayMyInvoice.Local;
using PayMyInvoice.Local.Serverless;
using PayMyInvoice.StripeEmulator;

// Run by scripts/bench.sh, which builds what this measures into artifacts/bench/builds first.
//   PayMyInvoice.Bench [--quick] [--only fn1,fn2] [--env N=V] [--wrap "strace -f -o /tmp/trace"]
// --wrap runs every function under a profiler or tracer (its own numbers then include the wrapper's cost).
var quick = args.Contains("--quick");
string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var only = Option("--only")?.Split(',');
var wrap = Option("--wrap")?.Split(' ', StringSplitOptions.RemoveEmptyEntries);

// --env NAME=VALUE[,NAME=VALUE]: extra variables for every function, to measure a runtime setting before adopting it.
var extra = (Option("--env")?.Split(',') ?? []).Select(pair => pair.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
var plan = quick ? new BenchPlan(ColdRuns: 3, WarmInvocations: 100, Pings: 100, GetItems: 200) : new BenchPlan(ColdRuns: 20, WarmInvocations: 1000, Pings: 1000, GetItems: 1000);

var root = RepositoryRoot.Find();
var output = Path.Combine(root, "artifacts", "bench");
var builds = Path.Combine(output, "builds");
var started = DateTimeOffset.UtcNow;
void Progress(string line) => Console.Error.WriteLine($"bench [{DateTimeOffset.UtcNow - started:mm\\:ss}] {line}");

await using var services = await LocalServices.StartAsync().ConfigureAwait(false);
await using var stripe = await StripeEmulatorServer.StartAsync().ConfigureAwait(false);
var events = new BenchEvents(root);

ServerlessConfig ConfigFor(string stage) => ServerlessConfig.Load(Path.Combine(root, "serverless.yml"), new Dictionary<string, string> { ["stage"] = stage });
async Task<LocalDeployment> DeployAsync(string stage)
{
    var deployment = new LocalDeployment(ConfigFor(stage), services.Endpoints with { Stripe = stripe.BaseUrl }, root);
    await deployment.ProvisionAsync(CancellationToken.None).ConfigureAwait(false);
    return deployment;
}

// serverless.yml as deployed (memory sizes, timeouts), read only; fresh stages below for the cold and warm runs and the throughput pipeline.
var config = ConfigFor("bench");
var functionBuilds = BuildCatalog.Load(config, builds, only).ToList();
(string, string[]) Wrapped((string FileName, string[] Arguments) command) => wrap is null ? command : (wrap[0], [.. wrap[1..], command.FileName, .. command.Arguments]);
BenchSubject SubjectFor(LocalDeployment on, FunctionBuild build) => new(
    build.Function, build.Build, Wrapped(build.Command), WithExtra(on.FunctionVariables(build.Function)), () => events.For(build.Function), on.Config.Function(build.Function).Timeout, build.ZipBytes);
Dictionary<string, string> WithExtra(Dictionary<string, string> variables)
{
    foreach (var (name, value) in extra)
    {
        variables[name] = value;
    }

    return variables;
}
// Each function's cold starts on a stage of its own (and the floors on theirs): deleteInvoice's mock deletes the seeded
// invoice that getInvoice's mock and the getitem floor read.
var coldStages = new Dictionary<string, LocalDeployment>(StringComparer.Ordinal);
foreach (var name in functionBuilds.Select(b => b.Function).Distinct())
{
    coldStages[name] = await DeployAsync($"cold{coldStages.Count + 1}").ConfigureAwait(false);
}

var subjects = functionBuilds.Select(b => SubjectFor(coldStages[b.Function], b)).ToList();
var floors = Floors.Subjects(root, builds, await DeployAsync("floors").ConfigureAwait(false), WithExtra);
Progress($"{subjects.Count} function builds and {floors.Count} floors; {plan}");

var cold = await Measurements.ColdAsync([.. subjects, .. floors], plan.ColdRuns, Progress).ConfigureAwait(false);

// Each function's warm calls run on a fresh stage, so that what one function's calls did (1,000 invoices created, the
// seeded ones deleted) never changes the work another's do.
var warm = new Dictionary<BenchSubject, WarmSession>();
var stages = 0;
Quantiles? bareGetItem = null;
foreach (var group in functionBuilds.GroupBy(b => b.Function))
{
    var stage = await DeployAsync($"warm{++stages}").ConfigureAwait(false);
    if (group.Key == "getInvoice")
    {
        // The floor getInvoice's warm p50 is compared with: the same item on the same stage, just before.
        bareGetItem = await Floors.BareGetItemAsync(builds, stage, plan.GetItems).ConfigureAwait(false);
    }

    foreach (var build in group)
    {
        var subject = subjects[functionBuilds.IndexOf(build)];
        warm[subject] = await Measurements.WarmAsync(subject with { Variables = WithExtra(stage.FunctionVariables(build.Function)) }, plan.WarmInvocations, plan.Pings).ConfigureAwait(false);
        Progress($"warm: {subject.Label} p50 {Stats.Percentile(warm[subject].DurationsMs, 50):0.000} ms");
    }
}

foreach (var floor in floors)
{
    // Warm-up pings measure our host; only the AOT hello floor is compared with them.
    warm[floor] = await Measurements.WarmAsync(floor, plan.WarmInvocations, floor is { Function: "hello", Build: "aot" } ? plan.Pings : 0).ConfigureAwait(false);
    Progress($"warm: {floor.Label} p50 {Stats.Percentile(warm[floor].DurationsMs, 50):0.000} ms");
}

bareGetItem ??= await Floors.BareGetItemAsync(builds, await DeployAsync("bare").ConfigureAwait(false), plan.GetItems).ConfigureAwait(false);
Progress($"bare GetItem p50 {bareGetItem.P50:0} µs");

IReadOnlyList<ThroughputResult> throughput = [];
if (only is null)
{
    var pipeline = await DeployAsync("benchtp").ConfigureAwait(false);
    var packaged = BuildCatalog.Load(pipeline.Config, builds).Where(b => b.Packaged).ToList();
    throughput = await new Throughput(pipeline, events, name => SubjectFor(pipeline, packaged.Single(b => b.Function == name)), Progress).RunAsync(quick).ConfigureAwait(false);
}

FunctionResult Row(BenchSubject subject, bool packaged, int memory) => Report.Row(subject, packaged, memory, cold[subject], warm[subject]);
var functionRows = functionBuilds.Select((b, i) => Row(subjects[i], b.Packaged, config.Function(b.Function).MemorySize)).ToList();
var floorRows = floors.Select(f => Row(f, packaged: false, memory: int.Parse(f.Variables["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], System.Globalization.CultureInfo.InvariantCulture))).ToList();
var results = Report.Assemble(root, quick, config, functionRows, floorRows, bareGetItem, throughput);
await Report.WriteAsync(output, results, plan).ConfigureAwait(false);
Console.WriteLine(Report.Markdown(results, plan));
Progress($"wrote {Path.Combine(output, "results.json")} and results.md");
return 0;

/// <summary>How many runs each measurement takes: 20 cold starts and 1,000 warm calls, or a few for <c>--quick</c>.</summary>
internal sealed record BenchPlan(int ColdRuns, int WarmInvocations, int Pings, int GetItems);
