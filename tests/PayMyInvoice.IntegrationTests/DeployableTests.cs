using System.Text.Json.Nodes;
using PayMyInvoice.Local.RuntimeApi;
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
        await using var runtime = await LocalRuntimeApi.StartAsync("test");
        var function = deployment.Config.Function("createInvoice");
        var table = function.Environment["INVOICES_TABLE"];
        var before = await local.CountItemsAsync(table);
        // The pay-link secret given directly, as the local stack does; deployed, it is an SSM parameter read at init.
        using var process = RuntimeApiCalls.StartExecutable(
            "PayMyInvoice.Api.dll",
            runtime.Address,
            function.Environment,
            ("AWS_ENDPOINT_URL_DYNAMODB", local.Services.DynamoDb.ToString()),
            ("PAY_LINK_SECRET", PayMyInvoice.Local.LocalDeployment.PayLinkSecret),
            ("PAY_LINK_BASE", "https://api.example.test/dev/"));
        try
        {
            var warm = await runtime.InvokeAsync("""{"source":"serverless-plugin-warmup"}""");
            Assert.Equal("""{"warmed":true}""", warm.Text);

            var request = ApiCalls.Event("POST", "/invoices", body: ApiCalls.NewInvoice().ToJsonString());
            var reply = await runtime.InvokeAsync(System.Text.Json.JsonSerializer.Serialize(request, PayMyInvoice.Contracts.ContractsJsonContext.Wire.APIGatewayProxyRequest));

            Assert.False(reply.IsError, reply.Text);
            var response = JsonNode.Parse(reply.Text)!;
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
        await using var runtime = await LocalRuntimeApi.StartAsync("test");
        using var process = RuntimeApiCalls.StartExecutable("PayMyInvoice.Api.dll", runtime.Address, new Dictionary<string, string> { ["PMI_FUNCTION"] = "getInvoice" });
        var error = await runtime.InitError.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(JsonNode.Parse(error.Text)!["errorType"]!.GetValue<string>(), error.ErrorType); // the header and the body agree
        Assert.Contains("INVOICES_TABLE", JsonNode.Parse(error.Text)!["errorMessage"]!.GetValue<string>(), StringComparison.Ordinal);
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.Equal(1, process.ExitCode);
    }

    [Fact]
    public async Task The_workers_executable_serves_invoiceStream_and_publishes_to_the_topic()
    {
        var deployment = await local.DeployFreshStageAsync();
        await using var runtime = await LocalRuntimeApi.StartAsync("test");
        var function = deployment.Config.Function("invoiceStream");
        using var process = RuntimeApiCalls.StartExecutable("PayMyInvoice.Workers.dll", runtime.Address, function.Environment, ("AWS_ENDPOINT_URL_SNS", local.Services.Fauxqs.ToString()));
        try
        {
            Assert.Equal("""{"warmed":true}""", (await runtime.InvokeAsync("""{"source":"serverless-plugin-warmup"}""")).Text);
            var reply = await runtime.InvokeAsync(await File.ReadAllTextAsync(Path.Combine(PayMyInvoice.Local.RepositoryRoot.Find(), "mocks", "invoiceStream.json")));
            Assert.False(reply.IsError, reply.Text);
            Assert.Equal("""{"batchItemFailures":[]}""", reply.Text);
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
        await using var runtime = await LocalRuntimeApi.StartAsync("test");
        var function = deployment.Config.Function("billingWorker");
        Assert.True(function.Environment.ContainsKey("STRIPE_SECRET_KEY_SSM_PARAMETER")); // deployed: read from SSM
        using var process = RuntimeApiCalls.StartExecutable("PayMyInvoice.Billing.dll", runtime.Address, function.Environment,
            ("AWS_ENDPOINT_URL_DYNAMODB", local.Services.DynamoDb.ToString()),
            ("STRIPE_SECRET_KEY", "sk_test_local"), // set directly, it wins: no SSM call
            ("STRIPE_API_BASE", stripe.BaseUrl.ToString().TrimEnd('/')));
        try
        {
            Assert.Equal("""{"warmed":true}""", (await runtime.InvokeAsync("""{"source":"serverless-plugin-warmup"}""")).Text);
            Assert.Equal(0, stripe.Charges);
            var reply = await runtime.InvokeAsync(await File.ReadAllTextAsync(Path.Combine(PayMyInvoice.Local.RepositoryRoot.Find(), "mocks", "billingWorker.json")));
            Assert.False(reply.IsError, reply.Text);
            Assert.Equal("""{"batchItemFailures":[]}""", reply.Text);
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
        await using var runtime = await LocalRuntimeApi.StartAsync("test");
        var function = deployment.Config.Function("stripeWebhook");
        const string secret = "whsec_process_test";
        using var process = RuntimeApiCalls.StartExecutable("PayMyInvoice.Workers.dll", runtime.Address, function.Environment,
            ("AWS_ENDPOINT_URL_SNS", local.Services.Fauxqs.ToString()), ("STRIPE_WEBHOOK_SECRET", secret));
        try
        {
            const string body = """{"id":"evt_process","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","object":"payment_intent"}}}""";
            async Task<int> PostAsync(string signature)
            {
                var request = ApiCalls.Event("POST", "/webhooks/stripe", userId: null, body: body);
                request.Headers!["Stripe-Signature"] = signature;
                var reply = await runtime.InvokeAsync(System.Text.Json.JsonSerializer.Serialize(request, PayMyInvoice.Contracts.ContractsJsonContext.Wire.APIGatewayProxyRequest));
                Assert.False(reply.IsError, reply.Text);
                return JsonNode.Parse(reply.Text)!["statusCode"]!.GetValue<int>();
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
}
