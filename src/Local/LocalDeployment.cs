using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.DocumentModel;
using Amazon.DynamoDBv2.Model;
using PayMyInvoice.Api;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Lambda;
using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Local;

/// <summary>
/// The deployment of serverless.yml on local services: its tables (seeded from <c>mocks/seed/&lt;LogicalId&gt;.json</c>
/// when first created) and its functions, invoked through the same host code Lambda runs.
/// </summary>
public sealed class LocalDeployment(ServerlessConfig config, Uri dynamoDbEndpoint, string repositoryRoot)
{
    /// <summary>Every function of every deployable, by serverless.yml name.</summary>
    public static FunctionTable AllFunctions(Func<string, string?> settings) => ApiFunctions.Create(settings);

    public ServerlessConfig Config => config;

    public async Task ProvisionAsync(CancellationToken cancellationToken)
    {
        using var dynamo = DynamoDbClients.ForLocal(dynamoDbEndpoint, config.Region);
        foreach (var (logicalId, tableName) in await TableDefinitions.EnsureAsync(dynamo, config, cancellationToken).ConfigureAwait(false))
        {
            await SeedAsync(dynamo, logicalId, tableName, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs one invocation as Lambda would: a fresh init with the function's serverless.yml environment (handed to the
    /// function as its settings, so this process's own environment stays untouched), warm-up short-circuit included.
    /// </summary>
    public async Task<InvocationOutcome> InvokeAsync(string functionName, byte[] payload, TextWriter logs, CancellationToken cancellationToken)
    {
        var function = config.Function(functionName);
        var variables = FunctionEnvironmentFor(function);
        var environment = FunctionEnvironment.FromVariables(variables.GetValueOrDefault);
        var host = new LambdaHost(environment, new JsonLogger(environment, logs, TimeProvider.System), TimeProvider.System);
        var lambda = AllFunctions(variables.GetValueOrDefault).Create(variables[LambdaHost.FunctionVariable]);
        var request = new InvocationRequest(
            RequestId: Guid.NewGuid().ToString(),
            Deadline: DateTimeOffset.UtcNow + function.Timeout,
            FunctionArn: $"arn:aws:lambda:{config.Region}:000000000000:function:{function.DeployedName}",
            TraceId: null,
            ClientContext: null,
            CognitoIdentity: null,
            Payload: payload);
        return await host.HandleAsync(lambda, request, coldStart: true, cancellationToken).ConfigureAwait(false);
    }

    private Dictionary<string, string> FunctionEnvironmentFor(ServerlessFunction function)
    {
        var variables = new Dictionary<string, string>(function.Environment, StringComparer.Ordinal)
        {
            ["AWS_REGION"] = config.Region,
            ["AWS_ACCESS_KEY_ID"] = "local",
            ["AWS_SECRET_ACCESS_KEY"] = "local",
            [DynamoDbClients.EndpointVariable] = dynamoDbEndpoint.ToString(),
            ["AWS_LAMBDA_FUNCTION_NAME"] = function.DeployedName,
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "256",
        };
        variables.TryAdd(LambdaHost.FunctionVariable, function.Name);
        return variables;
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
}
