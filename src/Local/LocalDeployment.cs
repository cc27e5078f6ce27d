using System.Collections.Concurrent;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.DocumentModel;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.SQS;
using PayMyInvoice.Api;
using PayMyInvoice.Billing;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Infrastructure.Sns;
using PayMyInvoice.Core.PayLinks;
using PayMyInvoice.Lambda;
using PayMyInvoice.Local.Serverless;
using PayMyInvoice.Workers;

namespace PayMyInvoice.Local;

/// <summary>
/// The deployment of serverless.yml on local services: its tables (seeded from <c>mocks/seed/&lt;LogicalId&gt;.json</c>
/// when first created) and topics, and its functions, invoked through the same host code Lambda runs. Each function
/// gets one execution environment, built on its first invocation (a cold start) and reused after.
/// </summary>
public sealed class LocalDeployment(ServerlessConfig config, LocalEndpoints endpoints, string repositoryRoot)
{
    private readonly ConcurrentDictionary<string, Lazy<ExecutionEnvironment>> _environments = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (TimeSpan? Timeout, IReadOnlyDictionary<string, string>? Environment)> _updates = new(StringComparer.Ordinal);

    /// <summary>Every function of every deployable, by serverless.yml name.</summary>
    public static FunctionTable AllFunctions(Func<string, string?> settings) =>
        ApiFunctions.Create(settings).Include(WorkerFunctions.Create(settings)).Include(BillingFunctions.Create(settings));

    /// <summary>The signing secret the local webhook function checks; point the Stripe emulator's deliveries at it.</summary>
    public const string WebhookSecret = "whsec_local";

    /// <summary>The local stack's pay-link secret (in AWS an SSM SecureString).</summary>
    public const string PayLinkSecret = "local-pay-link-secret-not-for-production";

    /// <summary>
    /// Where the local API gateway listens, once it does: pay links point there. Without one (<c>invoke</c>) they point
    /// at 127.0.0.1, which serves nothing.
    /// </summary>
    public Uri? ApiUrl { get; set; }

    public ServerlessConfig Config => config;

    public LocalEndpoints Endpoints => endpoints;

    /// <summary>The environment variable that sets <see cref="TimeScale"/> for <c>start</c> and <c>invoke</c>.</summary>
    public const string TimeScaleVariable = "PMI_LOCAL_TIME_SCALE";

    /// <summary>
    /// Function timeouts are never scaled below this share of serverless.yml's: the code keeps fixed reserves before its
    /// deadline (2–10 s) and its work takes real time, so a smaller timeout would fail every invocation instead of
    /// running it faster.
    /// </summary>
    public const double MinimumFunctionTimeScale = 0.5;

    /// <summary>
    /// The one local override of AWS's timings (<c>PMI_LOCAL_TIME_SCALE</c>; default 1, serverless.yml's own): it
    /// multiplies every queue's VisibilityTimeout (so when a failed or undeleted message comes back, and so how soon
    /// maxReceiveCount sends it to its dead-letter queue) and every function's timeout (so each invocation's deadline,
    /// which is also when a worker's idempotency claim lapses). Ratios stay as deployed down to
    /// <see cref="MinimumFunctionTimeScale"/>; below it only the queues keep scaling (tests run at 0.001, where a
    /// billing retry comes back after 180 ms), and claims then outlast the visibility timeout.
    /// </summary>
    public double TimeScale { get; init; } = TimeScaleFromEnvironment();

    /// <summary>Where function logs go (stderr for <c>invoke</c>, so that stdout is the response).</summary>
    public TextWriter Logs { get; init; } = TextWriter.Null;

    public async Task ProvisionAsync(CancellationToken cancellationToken)
    {
        using var dynamo = DynamoDbClients.ForLocal(endpoints.DynamoDb, config.Region);
        foreach (var (logicalId, tableName) in await TableDefinitions.EnsureAsync(dynamo, config, cancellationToken).ConfigureAwait(false))
        {
            await SeedAsync(dynamo, logicalId, tableName, cancellationToken).ConfigureAwait(false);
        }

        using var sns = Sns();
        foreach (var (_, properties) in config.ResourcesOfType("AWS::SNS::Topic"))
        {
            // CreateTopic is idempotent: the same name answers the same ARN.
            await sns.CallAsync("CreateTopic", new Dictionary<string, string> { ["Name"] = (string)properties["TopicName"]! }, cancellationToken).ConfigureAwait(false);
        }

        using var sqs = Sqs();
        var queues = config.ResourcesOfType("AWS::SQS::Queue");
        foreach (var (logicalId, properties) in queues)
        {
            var attributes = new Dictionary<string, string>();
            foreach (var name in new[] { "MessageRetentionPeriod", "DelaySeconds" })
            {
                if (properties.GetValueOrDefault(name) is string value)
                {
                    attributes[name] = value;
                }
            }

            // fauxqs keeps whole seconds: rounded up, its own expiry is only a backstop; the queue's event source makes a
            // failed message visible again at the exact scaled time (QueueEventSource).
            attributes["VisibilityTimeout"] = Math.Max(1, (int)Math.Ceiling(VisibilityTimeout(logicalId).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var queueName = (string)properties["QueueName"]!;
            try
            {
                await sqs.CreateQueueAsync(new Amazon.SQS.Model.CreateQueueRequest { QueueName = queueName, Attributes = attributes }, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonSQSException)
            {
                // The queue exists with other attributes (an earlier run at another time scale): set them as a redeploy would.
                var url = (await sqs.GetQueueUrlAsync(queueName, cancellationToken).ConfigureAwait(false)).QueueUrl;
                await sqs.SetQueueAttributesAsync(url, attributes, cancellationToken).ConfigureAwait(false);
            }
        }

        // Redrive policies name their dead-letter queue's ARN, so they are set once every queue exists.
        foreach (var (logicalId, properties) in queues)
        {
            if (properties.GetValueOrDefault("RedrivePolicy") is Dictionary<string, object?> redrive)
            {
                var policy = $"{{\"deadLetterTargetArn\":\"{Arn(redrive["deadLetterTargetArn"])}\",\"maxReceiveCount\":{redrive["maxReceiveCount"]}}}";
                await sqs.SetQueueAttributesAsync(await QueueUrlAsync(logicalId, cancellationToken).ConfigureAwait(false), new Dictionary<string, string> { ["RedrivePolicy"] = policy }, cancellationToken).ConfigureAwait(false);
            }
        }

        // Queue subscriptions carry the pipeline; an email subscription (the alerts topic's) has no local counterpart.
        foreach (var (_, properties) in config.ResourcesOfType("AWS::SNS::Subscription").Where(s => s.Properties.GetValueOrDefault("Protocol") as string == "sqs"))
        {
            await SubscribeAsync(sns, properties, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A queue's VisibilityTimeout from serverless.yml (SQS's default, 30 s, when it sets none), times <see cref="TimeScale"/>.</summary>
    public TimeSpan VisibilityTimeout(string queueLogicalId)
    {
        var seconds = config.Resource(queueLogicalId).Properties.GetValueOrDefault("VisibilityTimeout") is string value
            ? double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
            : 30;
        return TimeSpan.FromSeconds(seconds * TimeScale);
    }

    /// <summary>A function's timeout from serverless.yml, times <see cref="TimeScale"/> (never below <see cref="MinimumFunctionTimeScale"/> of it).</summary>
    public TimeSpan FunctionTimeout(string functionName) => config.Function(functionName).Timeout * Math.Max(TimeScale, MinimumFunctionTimeScale);

    /// <summary><c>PMI_LOCAL_TIME_SCALE</c>, a positive number; 1 (AWS's timings) when unset.</summary>
    public static double TimeScaleFromEnvironment() =>
        Environment.GetEnvironmentVariable(TimeScaleVariable) is { Length: > 0 } text
            ? double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var scale) && scale > 0 && double.IsFinite(scale)
                ? scale
                : throw new InvalidOperationException($"{TimeScaleVariable} must be a positive number, not '{text}'.")
            : 1;

    /// <summary>The ARN a <c>Ref</c> or <c>Fn::GetAtt [X, Arn]</c> stands for, as fauxqs names things.</summary>
    public string Arn(object? reference) => config.Arn(reference);

    /// <summary>A queue's URL as fauxqs gives it; the SQS client sends to the service URL and passes this as the name.</summary>
    public async Task<string> QueueUrlAsync(string logicalId, CancellationToken cancellationToken = default)
    {
        using var sqs = Sqs();
        return (await sqs.GetQueueUrlAsync((string)config.Resource(logicalId).Properties["QueueName"]!, cancellationToken).ConfigureAwait(false)).QueueUrl;
    }

    public AmazonSQSClient Sqs() => new(new BasicAWSCredentials("local", "local"), new AmazonSQSConfig { ServiceURL = endpoints.Fauxqs.ToString(), AuthenticationRegion = config.Region });

    /// <summary>
    /// A second subscription like serverless.yml's <paramref name="subscriptionLogicalId"/> (same topic, filter policy and
    /// raw delivery) to another queue: a tap that sees exactly what that subscription's queue receives.
    /// </summary>
    public async Task SubscribeLikeAsync(string subscriptionLogicalId, string queueArn, CancellationToken cancellationToken)
    {
        using var sns = Sns();
        await SubscribeAsync(sns, config.Resource(subscriptionLogicalId).Properties, cancellationToken, queueArn).ConfigureAwait(false);
    }

    private async Task SubscribeAsync(SnsClient sns, Dictionary<string, object?> properties, CancellationToken cancellationToken, string? endpointArn = null)
    {
        var topicArn = Arn(properties["TopicArn"]);
        var endpoint = endpointArn ?? Arn(properties["Endpoint"]);
        var existing = await sns.CallAsync("ListSubscriptionsByTopic", new Dictionary<string, string> { ["TopicArn"] = topicArn }, cancellationToken).ConfigureAwait(false);
        if (existing.Descendants().Any(e => e.Name.LocalName == "Endpoint" && e.Value == endpoint))
        {
            return;
        }

        var parameters = new Dictionary<string, string> { ["TopicArn"] = topicArn, ["Protocol"] = (string)properties["Protocol"]!, ["Endpoint"] = endpoint };
        var n = 0;
        if (properties.GetValueOrDefault("RawMessageDelivery") is string raw)
        {
            n++;
            parameters[$"Attributes.entry.{n}.key"] = "RawMessageDelivery";
            parameters[$"Attributes.entry.{n}.value"] = raw;
        }

        if (properties.GetValueOrDefault("FilterPolicy") is Dictionary<string, object?> filter)
        {
            n++;
            parameters[$"Attributes.entry.{n}.key"] = "FilterPolicy";
            parameters[$"Attributes.entry.{n}.value"] = System.Text.Json.JsonSerializer.Serialize(
                filter.ToDictionary(f => f.Key, f => ((List<object?>)f.Value!).Cast<string>().ToArray()));
        }

        await sns.CallAsync("Subscribe", parameters, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The physical name of a table resource.</summary>
    public string TableName(string logicalId) =>
        (string)config.ResourcesOfType("AWS::DynamoDB::Table").Single(r => r.LogicalId == logicalId).Properties["TableName"]!;

    public SnsClient Sns() => new(new BasicAWSCredentials("local", "local"), Amazon.RegionEndpoint.GetBySystemName(config.Region), endpoints.Fauxqs);

    /// <summary>
    /// What Lambda's UpdateFunctionConfiguration does: another timeout (so another deadline for each invocation) and
    /// extra environment variables for one function, in a new execution environment from its next invocation on, as
    /// after a configuration change. serverless.yml stays as it is; tests use this for short deadlines.
    /// </summary>
    public void UpdateFunctionConfiguration(string functionName, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        _ = config.Function(functionName); // an unknown name fails here, not at the next invocation
        _updates[functionName] = (timeout, environment);
        _environments.TryRemove(functionName, out _);
    }

    /// <summary>
    /// Runs one invocation as Lambda would: the function's serverless.yml environment (handed to the function as its
    /// settings, so this process's own environment stays untouched), warm-up short-circuit included.
    /// </summary>
    public async Task<InvocationOutcome> InvokeAsync(string functionName, byte[] payload, CancellationToken cancellationToken)
    {
        var environment = _environments.GetOrAdd(functionName, name => new Lazy<ExecutionEnvironment>(() => Start(name))).Value;
        var coldStart = Interlocked.Increment(ref environment.Invocations) == 1;
        ILambdaFunction lambda;
        try
        {
            lambda = environment.Lambda.Value;
        }
        catch (Exception error)
        {
            return new InvocationOutcome(null, error); // init failed: every invocation of this environment fails alike
        }

        // The timeout counts from the invocation, after init, as Lambda's does (init has its own limit).
        var request = new InvocationRequest(
            RequestId: Guid.NewGuid().ToString(),
            Deadline: DateTimeOffset.UtcNow + environment.Function.Timeout,
            FunctionArn: $"arn:aws:lambda:{config.Region}:{ServerlessConfig.LocalAccountId}:function:{environment.Function.DeployedName}",
            TraceId: null,
            ClientContext: null,
            CognitoIdentity: null,
            Payload: payload);

        return await environment.Host.HandleAsync(lambda, request, coldStart, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The variables Lambda would give the function's environment here: serverless.yml's, those the runtime sets, and
    /// the local services' endpoints and secrets in place of SSM (plus any <see cref="UpdateFunctionConfiguration"/>).
    /// </summary>
    public Dictionary<string, string> FunctionVariables(string functionName)
    {
        var function = config.Function(functionName);
        var variables = new Dictionary<string, string>(function.Environment, StringComparer.Ordinal)
        {
            ["AWS_REGION"] = config.Region,
            ["AWS_ACCESS_KEY_ID"] = "local",
            ["AWS_SECRET_ACCESS_KEY"] = "local",
            [DynamoDbClients.EndpointVariable] = endpoints.DynamoDb.ToString(),
            ["AWS_ENDPOINT_URL_SNS"] = endpoints.Fauxqs.ToString(),
            ["AWS_ENDPOINT_URL_SQS"] = endpoints.Fauxqs.ToString(),
            ["AWS_LAMBDA_FUNCTION_NAME"] = function.DeployedName,
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = function.MemorySize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["STRIPE_SECRET_KEY"] = "sk_test_local",
            ["STRIPE_WEBHOOK_SECRET"] = WebhookSecret,
            [PayLinkKeys.SecretVariable] = PayLinkSecret,
        };
        // There is no SSM here: the local values above stand in for the secrets, and maildev takes mail without a login.
        foreach (var parameter in variables.Keys.Where(k => k.EndsWith("_SSM_PARAMETER", StringComparison.Ordinal)).ToList())
        {
            variables.Remove(parameter);
        }

        if (endpoints.Smtp is { } smtp)
        {
            variables["SMTP_URL"] = smtp.ToString();
        }

        if (variables.ContainsKey(PayLinkKeys.BaseVariable))
        {
            variables[PayLinkKeys.BaseVariable] = (ApiUrl ?? new Uri("http://127.0.0.1/")).AbsoluteUri;
        }

        if (endpoints.Stripe is { } stripe)
        {
            variables["STRIPE_API_BASE"] = stripe.ToString().TrimEnd('/');
        }

        foreach (var (name, value) in _updates.GetValueOrDefault(functionName).Environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        variables.TryAdd(LambdaHost.FunctionVariable, function.Name);
        return variables;
    }

    private ExecutionEnvironment Start(string functionName)
    {
        // An explicit configuration change is taken as given; serverless.yml's timeout is scaled with the queues'.
        var function = config.Function(functionName) with { Timeout = _updates.GetValueOrDefault(functionName).Timeout ?? FunctionTimeout(functionName) };

        var variables = FunctionVariables(functionName);
        var environment = FunctionEnvironment.FromVariables(variables.GetValueOrDefault);
        var host = new LambdaHost(environment, new JsonLogger(environment, Logs, TimeProvider.System), TimeProvider.System);

        // Built on first use, inside the first invocation, as Lambda's init runs before it; an init failure
        // surfaces as that invocation's error.
        var lambda = new Lazy<ILambdaFunction>(() => AllFunctions(variables.GetValueOrDefault).Create(variables[LambdaHost.FunctionVariable]));
        return new ExecutionEnvironment(function, host, lambda);
    }

    private async Task SeedAsync(AmazonDynamoDBClient dynamo, string logicalId, string tableName, CancellationToken cancellationToken)
    {
        var seed = Path.Combine(repositoryRoot, "mocks", "seed", logicalId + ".json");
        if (!File.Exists(seed))
        {
            return;
        }

        foreach (var item in Document.FromJsonArray(await File.ReadAllTextAsync(seed, cancellationToken).ConfigureAwait(false)))
        {
            await dynamo.PutItemAsync(new PutItemRequest { TableName = tableName, Item = item.ToAttributeMap() }, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class ExecutionEnvironment(ServerlessFunction function, LambdaHost host, Lazy<ILambdaFunction> lambda)
    {
        public int Invocations;

        public ServerlessFunction Function => function;
        public LambdaHost Host => host;
        public Lazy<ILambdaFunction> Lambda => lambda;
    }
}
