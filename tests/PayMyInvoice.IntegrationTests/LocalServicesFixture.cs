using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using PayMyInvoice.Local;
using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// DynamoDB Local and fauxqs, started once for the whole run by the project's own local-services script (installing
/// them on first use). Each test class gets fresh tables by resolving serverless.yml for a stage of its own.
/// </summary>
public sealed class LocalServicesFixture : IAsyncLifetime
{
    private LocalServices? _services;

    public LocalServices Services => _services ?? throw new InvalidOperationException("not started");

    public AmazonDynamoDBClient DynamoDb { get; private set; } = null!;

    private static readonly HttpClient Http = new();

    public async Task InitializeAsync()
    {
        _services = await LocalServices.StartAsync();
        DynamoDb = PayMyInvoice.Infrastructure.DynamoDb.DynamoDbClients.ForLocal(_services.DynamoDb);
    }

    public async Task DisposeAsync()
    {
        DynamoDb?.Dispose();
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    /// <summary>
    /// The tests' <see cref="LocalDeployment.TimeScale"/>: queues' visibility timeouts at a thousandth of serverless.yml's,
    /// so a failed billing message comes back after 180 ms and one on the other queues after 60 ms.
    /// </summary>
    public const double TestTimeScale = 0.001;

    /// <summary>serverless.yml resolved for a new stage, with its tables created (and seeded) in DynamoDB Local.</summary>
    /// <param name="route">Where the functions reach the services instead (e.g. through a <c>CuttableLink</c>).</param>
    public async Task<LocalDeployment> DeployFreshStageAsync(Uri? stripe = null, TextWriter? logs = null, double timeScale = TestTimeScale, Func<LocalEndpoints, LocalEndpoints>? route = null)
    {
        var root = RepositoryRoot.Find();
        var stage = "t" + Guid.NewGuid().ToString("N")[..10];
        var config = ServerlessConfig.Load(Path.Combine(root, "serverless.yml"), new Dictionary<string, string> { ["stage"] = stage });
        var deployment = new LocalDeployment(config, (route ?? (e => e))(Services.Endpoints with { Stripe = stripe }), root) { Logs = logs ?? TextWriter.Null, TimeScale = timeScale };
        await deployment.ProvisionAsync(CancellationToken.None);
        return deployment;
    }

    /// <summary>
    /// A fresh stage running as a whole, as `start` runs it: its own Stripe emulator, the API gateway, every event source.
    /// With <paramref name="logs"/> the functions' log lines are written there.
    /// </summary>
    public async Task<LocalPipeline> StartPipelineAsync(TextWriter? logs = null, double timeScale = TestTimeScale, Func<LocalEndpoints, LocalEndpoints>? route = null)
    {
        var stripe = await PayMyInvoice.StripeEmulator.StripeEmulatorServer.StartAsync();
        return await LocalPipeline.StartAsync(await DeployFreshStageAsync(stripe.BaseUrl, logs, timeScale, route), stripe, ownsStripe: true);
    }

    /// <summary>What maildev received for one address, counted on the SMTP server's side.</summary>
    public async Task<List<JsonNode>> InboxAsync(string address) =>
        (await AllEmailsAsync()).Where(m => m["to"]!.AsArray().Any(t => string.Equals(t!["address"]!.GetValue<string>(), address, StringComparison.OrdinalIgnoreCase))).ToList();

    /// <summary>Every email maildev received in this run, all tests together.</summary>
    public async Task<List<JsonNode>> AllEmailsAsync() =>
        (await Http.GetFromJsonAsync<JsonArray>(new Uri(Services.Inbox, "/email")))!.Select(m => m!).ToList();

    public async Task<int> CountItemsAsync(string tableName)
    {
        var response = await DynamoDb.ScanAsync(new ScanRequest { TableName = tableName, Select = Select.COUNT, ConsistentRead = true });
        return response.Count ?? 0;
    }
}

[CollectionDefinition(Name)]
public sealed class LocalServicesCollection : ICollectionFixture<LocalServicesFixture>
{
    public const string Name = "local services";
}
