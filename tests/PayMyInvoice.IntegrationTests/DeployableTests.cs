using System.Diagnostics;
using System.Text.Json.Nodes;
using PayMyInvoice.Tests;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// The deployables themselves: the Api, Workers and Billing executables started as Lambda starts them (environment variables,
/// Runtime API), each Main choosing the function PMI_FUNCTION names, working against the local services.
/// </summary>
[Collection(LocalServicesCollection.Name)]
public sealed class DeployableTests(LocalServicesFixture local)
{
    [Fact]
    public async Task The_api_executable_serves_the_function_PMI_FUNCTION_names()
    {
        var deployment = await local.DeployFreshStageAsync();
        await using var runtime = await FakeRuntimeApi.StartAsync();
        var function = deployment.Config.Function("createInvoice");
        var table = function.Environment["INVOICES_TABLE"];
        var before = await local.CountItemsAsync(table);
        // The pay-link secret given directly, as the local stack does; deployed, it is an SSM parameter read at init.
        using var process = StartExecutable(
            "PayMyInvoice.Api.dll",
            runtime.Address,
            function.Environment,
            ("AWS_ENDPOINT_URL_DYNAMODB", local.Services.DynamoDb.ToString()),
            ("PAY_LINK_SECRET", PayMyInvoice.Local.LocalDeployment.PayLinkSecret),
            ("PAY_LINK_BASE", "https://api.example.test/dev/"));
        try
        {
            var warm = await runtime.InvokeAsync("""{"source":"serverless-plugin-warmup"}""");
            Assert.Equal("""{"warmed":true}""", warm.Body);

            var request = ApiCalls.Event("POST", "/invoices", body: ApiCalls.NewInvoice().ToJsonString());
            var reply = await runtime.InvokeAsync(System.Text.Json.JsonSerializer.Serialize(request, PayMyInvoice.Contracts.ContractsJsonContext.Wire.APIGatewayProxyRequest));

            Assert.False(reply.IsError, reply.Body);
            var response = JsonNode.Parse(reply.Body)!;
            Assert.Equal(201, response["statusCode"]!.GetValue<int>());
            Assert.Equal(before + 1, await local.CountItemsAsync(table));
        }
        finally
        {
            process.Kill();
        }
    }

    [Fact]
    public async Task Without_its_table_setting_the_executable_reports_an_init_error()
    {
        await using var runtime = await FakeRuntimeApi.StartAsync();
        using var process = StartExecutable("PayMyInvoice.Api.dll", runtime.Address, new Dictionary<string, string> { ["PMI_FUNCTION"] = "getInvoice" });
        var error = await runtime.InitError.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("INVOICES_TABLE", JsonNode.Parse(error.Body)!["errorMessage"]!.GetValue<string>(), StringComparison.Ordinal);
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.Equal(1, process.ExitCode);
    }

    [Fact]
    public async Task The_workers_executable_serves_invoiceStream_and_publishes_to_the_topic()
    {
        var deployment = await local.DeployFreshStageAsync();
        await using var runtime = await FakeRuntimeApi.StartAsync();
        var function = deployment.Config.Function("invoiceStream");
        using var process = StartExecutable("PayMyInvoice.Workers.dll", runtime.Address, function.Environment, ("AWS_ENDPOINT_URL_SNS", local.Services.Fauxqs.ToString()));
        try
        {
            Assert.Equal("""{"warmed":true}""", (await runtime.InvokeAsync("""{"source":"serverless-plugin-warmup"}""")).Body);
            var reply = await runtime.InvokeAsync(await File.ReadAllTextAsync(Path.Combine(PayMyInvoice.Local.RepositoryRoot.Find(), "mocks", "invoiceStream.json")));
            Assert.False(reply.IsError, reply.Body);
            Assert.Equal("""{"batchItemFailures":[]}""", reply.Body);
        }
        finally
        {
            process.Kill();
        }
    }

    [Fact]
    public async Task The_billing_executable_charges_through_Stripe_net_with_the_key_the_stack_supplies()
    {
        await using var stripe = await PayMyInvoice.StripeEmulator.StripeEmulatorServer.StartAsync();
        var deployment = await local.DeployFreshStageAsync(stripe.BaseUrl);
        await using var runtime = await FakeRuntimeApi.StartAsync();
        var function = deployment.Config.Function("billingWorker");
        Assert.True(function.Environment.ContainsKey("STRIPE_SECRET_KEY_SSM_PARAMETER")); // deployed: read from SSM
        using var process = StartExecutable("PayMyInvoice.Billing.dll", runtime.Address, function.Environment,
            ("AWS_ENDPOINT_URL_DYNAMODB", local.Services.DynamoDb.ToString()),
            ("STRIPE_SECRET_KEY", "sk_test_local"), // set directly, it wins: no SSM call
            ("STRIPE_API_BASE", stripe.BaseUrl.ToString().TrimEnd('/')));
        try
        {
            Assert.Equal("""{"warmed":true}""", (await runtime.InvokeAsync("""{"source":"serverless-plugin-warmup"}""")).Body);
            Assert.Equal(0, stripe.Charges);
            var reply = await runtime.InvokeAsync(await File.ReadAllTextAsync(Path.Combine(PayMyInvoice.Local.RepositoryRoot.Find(), "mocks", "billingWorker.json")));
            Assert.False(reply.IsError, reply.Body);
            Assert.Equal("""{"batchItemFailures":[]}""", reply.Body);
            Assert.Equal(1, stripe.Charges);
        }
        finally
        {
            process.Kill();
        }
    }

    [Fact]
    public async Task The_workers_executable_checks_Stripe_signatures_without_Stripe_net()
    {
        var deployment = await local.DeployFreshStageAsync();
        await using var runtime = await FakeRuntimeApi.StartAsync();
        var function = deployment.Config.Function("stripeWebhook");
        const string secret = "whsec_process_test";
        using var process = StartExecutable("PayMyInvoice.Workers.dll", runtime.Address, function.Environment,
            ("AWS_ENDPOINT_URL_SNS", local.Services.Fauxqs.ToString()), ("STRIPE_WEBHOOK_SECRET", secret));
        try
        {
            const string body = """{"id":"evt_process","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","object":"payment_intent"}}}""";
            async Task<int> PostAsync(string signature)
            {
                var request = ApiCalls.Event("POST", "/webhooks/stripe", userId: null, body: body);
                request.Headers!["Stripe-Signature"] = signature;
                var reply = await runtime.InvokeAsync(System.Text.Json.JsonSerializer.Serialize(request, PayMyInvoice.Contracts.ContractsJsonContext.Wire.APIGatewayProxyRequest));
                Assert.False(reply.IsError, reply.Body);
                return JsonNode.Parse(reply.Body)!["statusCode"]!.GetValue<int>();
            }

            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            Assert.Equal(200, await PostAsync(PayMyInvoice.StripeEmulator.StripeEmulatorServer.SignatureHeader(body, secret, now)));
            Assert.Equal(400, await PostAsync(PayMyInvoice.StripeEmulator.StripeEmulatorServer.SignatureHeader(body, "whsec_forged", now)));
            Assert.Equal(400, await PostAsync("t=abc,v1=00"));
        }
        finally
        {
            process.Kill();
        }
    }

    /// <summary>Starts a deployable the way the managed runtime does (dotnet exec), with only Lambda's environment.</summary>
    private static Process StartExecutable(string assembly, string runtimeApi, IReadOnlyDictionary<string, string> environment, params (string Name, string Value)[] more)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, assembly)])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Only what Lambda would set: nothing this test process happens to carry.
        start.Environment.Clear();
        foreach (var name in new[] { "PATH", "HOME", "DOTNET_ROOT", "DOTNET_CLI_HOME" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        start.Environment["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;
        start.Environment["AWS_REGION"] = "us-east-1";
        start.Environment["AWS_ACCESS_KEY_ID"] = "local";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "local";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        foreach (var (name, value) in more)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
