using System.CommandLine;
using PayMyInvoice.Lambda;
using PayMyInvoice.Local;
using PayMyInvoice.Local.Serverless;
using PayMyInvoice.StripeEmulator;

var functionArgument = new Argument<string>("function") { Description = "The function's name in serverless.yml, e.g. createInvoice." };
var eventOption = new Option<FileInfo>("--event", "-e") { Description = "A JSON file with the event, e.g. mocks/createInvoice.json.", Required = true };
var stageOption = new Option<string>("--stage") { Description = "The stage serverless.yml is resolved for.", DefaultValueFactory = _ => "dev" };

var invoke = new Command("invoke", "Run one function with one event against local services and print its JSON response, like 'serverless invoke local'.")
{
    functionArgument,
    eventOption,
    stageOption,
};
invoke.SetAction(async (parse, cancellationToken) =>
{
    var (root, config) = Load(parse);
    var name = parse.GetValue(functionArgument)!;
    if (!config.FunctionNames.Contains(name))
    {
        await Console.Error.WriteLineAsync($"No function '{name}' in serverless.yml. Functions: {string.Join(", ", config.FunctionNames)}").ConfigureAwait(false);
        return 2;
    }

    var payload = await File.ReadAllBytesAsync(parse.GetValue(eventOption)!.FullName, cancellationToken).ConfigureAwait(false);

    // Reuse running services when the caller points at them; otherwise start our own for this one call.
    LocalServices? services = null;
    StripeEmulatorServer? stripe = null;
    var endpoints = LocalEndpoints.FromEnvironment();
    if (endpoints is null)
    {
        services = await LocalServices.StartAsync(cancellationToken).ConfigureAwait(false);
        endpoints = services.Endpoints;
    }

    if (endpoints.Stripe is null)
    {
        stripe = await StripeEmulatorServer.StartAsync().ConfigureAwait(false);
        endpoints = endpoints with { Stripe = stripe.BaseUrl };
    }

    try
    {
        // Logs go to stderr so that stdout is exactly the function's response.
        var deployment = new LocalDeployment(config, endpoints, root) { Logs = Console.Error };
        await deployment.ProvisionAsync(cancellationToken).ConfigureAwait(false);
        var outcome = await deployment.InvokeAsync(name, payload, cancellationToken).ConfigureAwait(false);
        await using var stdout = Console.OpenStandardOutput();
        await stdout.WriteAsync(outcome.Response ?? RuntimeApiClient.ErrorBody(outcome.Error!), cancellationToken).ConfigureAwait(false);
        await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        return outcome.Error is null ? 0 : 1;
    }
    finally
    {
        if (stripe is not null)
        {
            await stripe.DisposeAsync().ConfigureAwait(false);
        }

        if (services is not null)
        {
            await services.DisposeAsync().ConfigureAwait(false);
        }
    }
});

var portOption = new Option<int>("--port") { Description = "The local API's port (0 picks a free one).", DefaultValueFactory = _ => 3000 };
var start = new Command("start", "Run the whole backend locally: the HTTP API, the table's stream, the queues, the Stripe emulator and an email inbox, until Ctrl-C.")
{
    portOption,
    stageOption,
};
start.SetAction(async (parse, cancellationToken) =>
{
    var (root, config) = Load(parse);
    await using var services = await LocalServices.StartAsync(cancellationToken).ConfigureAwait(false);
    var stripe = await StripeEmulatorServer.StartAsync().ConfigureAwait(false);
    var deployment = new LocalDeployment(config, services.Endpoints with { Stripe = stripe.BaseUrl }, root) { Logs = Console.Error };
    await deployment.ProvisionAsync(cancellationToken).ConfigureAwait(false);
    await using var pipeline = await LocalPipeline.StartAsync(deployment, stripe, parse.GetValue(portOption), ownsStripe: true, cancellationToken: cancellationToken).ConfigureAwait(false);

    Console.WriteLine($"PayMyInvoice is running (stage {config.Stage}). Ctrl-C stops everything.");
    Console.WriteLine($"  API             {pipeline.Gateway.BaseUrl}  (send {LocalApiGateway.IdentityHeader}: <any id> in place of IAM signing)");
    Console.WriteLine($"  email inbox     {services.Inbox}");
    Console.WriteLine($"  Stripe emulator {stripe.BaseUrl}  (GET /_emulator/stats counts charges)");
    Console.WriteLine($"  DynamoDB Local  {services.DynamoDb}   fauxqs (SQS, SNS) {services.Fauxqs}");
    Console.WriteLine($"  time scale      {deployment.TimeScale} (x serverless.yml's visibility and function timeouts; {LocalDeployment.TimeScaleVariable} sets it)");
    foreach (var schedule in pipeline.Schedules)
    {
        Console.WriteLine($"  schedule        {schedule.FunctionName}: {schedule.Expression} (UTC)");
    }

    Console.WriteLine("ready");
    try
    {
        await pipeline.RunAsync(cancellationToken).ConfigureAwait(false);
    }
    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
    {
        // Ctrl-C
    }

    return 0;
});

(string Root, ServerlessConfig Config) Load(ParseResult parse)
{
    var root = RepositoryRoot.Find();
    return (root, ServerlessConfig.Load(Path.Combine(root, "serverless.yml"), new Dictionary<string, string> { ["stage"] = parse.GetValue(stageOption)! }));
}

var rootCommand = new RootCommand("PayMyInvoice's local stack: serverless.yml's functions on local AWS stand-ins.") { invoke, start };
return await rootCommand.Parse(args).InvokeAsync().ConfigureAwait(false);
