using PayMyInvoice.Local.EventSources;
using PayMyInvoice.StripeEmulator;

namespace PayMyInvoice.Local;

/// <summary>
/// The whole deployment running locally: serverless.yml's HTTP routes behind the local API gateway, every stream and
/// queue event source feeding its function, its schedules firing, and the Stripe emulator delivering webhooks to the
/// gateway.
/// </summary>
public sealed class LocalPipeline : IAsyncDisposable
{
    private readonly List<(string Function, StreamEventSource Source)> _streams;
    private readonly List<(string Function, QueueEventSource Source)> _queues;
    private readonly List<ScheduleEventSource> _schedules;
    private readonly DynamoDbStreamsClient _streamsClient;
    private readonly Amazon.SQS.AmazonSQSClient _sqs;
    private readonly bool _ownsStripe;

    private LocalPipeline(
        LocalDeployment deployment,
        StripeEmulatorServer stripe,
        LocalApiGateway gateway,
        DynamoDbStreamsClient streamsClient,
        Amazon.SQS.AmazonSQSClient sqs,
        List<(string, StreamEventSource)> streams,
        List<(string, QueueEventSource)> queues,
        List<ScheduleEventSource> schedules,
        bool ownsStripe)
    {
        _schedules = schedules;
        _ownsStripe = ownsStripe;
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

    /// <summary>The stream event source feeding a function, to drive it step by step.</summary>
    public StreamEventSource Stream(string function) => _streams.Single(s => s.Function == function).Source;

    /// <summary>serverless.yml's schedules (EventBridge rules); <see cref="RunAsync"/> fires them on time.</summary>
    public IReadOnlyList<ScheduleEventSource> Schedules => _schedules;

    /// <summary>The queue event source feeding a function, to drive it step by step.</summary>
    public QueueEventSource Queue(string function) => _queues.Single(q => q.Function == function).Source;

    /// <param name="ownsStripe">Dispose the emulator with the pipeline.</param>
    /// <param name="time">The clock schedules fire by (tests pass a fake one).</param>
    public static async Task<LocalPipeline> StartAsync(LocalDeployment deployment, StripeEmulatorServer stripe, int gatewayPort = 0, bool ownsStripe = false, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(stripe);
        var gateway = await LocalApiGateway.StartAsync(deployment, gatewayPort).ConfigureAwait(false);
        deployment.ApiUrl = gateway.BaseUrl;
        stripe.AddWebhookEndpoint(new Uri(gateway.BaseUrl, "/webhooks/stripe"), LocalDeployment.WebhookSecret);
        var streamsClient = new DynamoDbStreamsClient(deployment.Endpoints.DynamoDb, deployment.Config.Region);
        var sqs = deployment.Sqs();
        var streams = new List<(string, StreamEventSource)>();
        var queues = new List<(string, QueueEventSource)>();
        var schedules = new List<ScheduleEventSource>();
        foreach (var name in deployment.Config.FunctionNames)
        {
            var function = deployment.Config.Function(name);
            schedules.AddRange((function.Schedules ?? []).Select(schedule => new ScheduleEventSource(deployment, name, schedule, time ?? TimeProvider.System)));
            foreach (var stream in function.Streams)
            {
                streams.Add((name, await StreamEventSource.CreateAsync(deployment, name, stream, streamsClient, cancellationToken).ConfigureAwait(false)));
            }

            foreach (var queue in function.Queues)
            {
                queues.Add((name, await QueueEventSource.CreateAsync(deployment, name, queue, sqs, cancellationToken).ConfigureAwait(false)));
            }
        }

        return new LocalPipeline(deployment, stripe, gateway, streamsClient, sqs, streams, queues, schedules, ownsStripe);
    }

    /// <summary>Runs every event source until nothing moves: no stream record, no queued message, no webhook in flight.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        for (var round = 0; round < 50; round++)
        {
            var moved = 0;
            foreach (var (_, stream) in _streams)
            {
                moved += await stream.DrainAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var (_, queue) in _queues)
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

    /// <summary>Polls every event source until cancelled, as Lambda's event source mappings do, and fires the schedules.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_streams.Select(s => KeepRunningAsync(s.Function, s.Source.RunAsync, cancellationToken))
            .Concat(_queues.Select(q => KeepRunningAsync(q.Function, q.Source.RunAsync, cancellationToken)))
            .Concat(_schedules.Select(s => s.RunAsync(cancellationToken))));

    /// <summary>
    /// An event source mapping outlives an outage of what it polls: when DynamoDB Streams or SQS cannot be reached,
    /// the poller starts again a second later (from where it was) instead of stopping the pipeline for good.
    /// </summary>
    private static async Task KeepRunningAsync(string function, Func<CancellationToken, Task> run, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await run(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync($"event source of {function}: {error.GetType().Name}: {error.Message}; polling again in 1 s").ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync().ConfigureAwait(false);
        _streamsClient.Dispose();
        _sqs.Dispose();
        if (_ownsStripe)
        {
            await Stripe.DisposeAsync().ConfigureAwait(false);
        }
    }
}
