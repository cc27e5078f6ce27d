using PayMyInvoice.Local.EventSources;
using PayMyInvoice.StripeEmulator;

namespace PayMyInvoice.Local;

/// <summary>
/// The whole deployment running locally: serverless.yml's HTTP routes behind the local API gateway, every stream and
/// queue event source feeding its function, and the Stripe emulator delivering webhooks to the gateway.
/// </summary>
public sealed class LocalPipeline : IAsyncDisposable
{
    private readonly List<StreamEventSource> _streams;
    private readonly List<QueueEventSource> _queues;
    private readonly DynamoDbStreamsClient _streamsClient;
    private readonly Amazon.SQS.AmazonSQSClient _sqs;

    private LocalPipeline(LocalDeployment deployment, StripeEmulatorServer stripe, LocalApiGateway gateway, DynamoDbStreamsClient streamsClient, Amazon.SQS.AmazonSQSClient sqs, List<StreamEventSource> streams, List<QueueEventSource> queues)
    {
        Deployment = deployment;
        Stripe = stripe;
        Gateway = gateway;
        _streamsClient = streamsClient;
        _sqs = sqs;
        _streams = streams;
        _queues = queues;
    }

    public LocalDeployment Deployment { get; }
    public StripeEmulatorServer Stripe { get; }
    public LocalApiGateway Gateway { get; }

    public static async Task<LocalPipeline> StartAsync(LocalDeployment deployment, StripeEmulatorServer stripe, int gatewayPort = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(stripe);
        var gateway = await LocalApiGateway.StartAsync(deployment, gatewayPort).ConfigureAwait(false);
        stripe.AddWebhookEndpoint(new Uri(gateway.BaseUrl, "/webhooks/stripe"), LocalDeployment.WebhookSecret);
        var streamsClient = new DynamoDbStreamsClient(deployment.Endpoints.DynamoDb, deployment.Config.Region);
        var sqs = deployment.Sqs();
        var streams = new List<StreamEventSource>();
        var queues = new List<QueueEventSource>();
        foreach (var name in deployment.Config.FunctionNames)
        {
            var function = deployment.Config.Function(name);
            foreach (var stream in function.Streams)
            {
                streams.Add(await StreamEventSource.CreateAsync(deployment, name, stream, streamsClient, cancellationToken).ConfigureAwait(false));
            }

            foreach (var queue in function.Queues)
            {
                queues.Add(await QueueEventSource.CreateAsync(deployment, name, queue, sqs, cancellationToken).ConfigureAwait(false));
            }
        }

        return new LocalPipeline(deployment, stripe, gateway, streamsClient, sqs, streams, queues);
    }

    /// <summary>Runs every event source until nothing moves: no stream record, no queued message, no webhook in flight.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        for (var round = 0; round < 50; round++)
        {
            var moved = 0;
            foreach (var stream in _streams)
            {
                moved += await stream.DrainAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var queue in _queues)
            {
                moved += await queue.DrainAsync(cancellationToken).ConfigureAwait(false);
            }

            if (Stripe.PendingWebhooks > 0)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (moved == 0)
            {
                return;
            }
        }
    }

    /// <summary>Polls every event source until cancelled, as Lambda's event source mappings do.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_streams.Select(s => s.RunAsync(cancellationToken)).Concat(_queues.Select(q => q.RunAsync(cancellationToken))));

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync().ConfigureAwait(false);
        _streamsClient.Dispose();
        _sqs.Dispose();
    }
}
