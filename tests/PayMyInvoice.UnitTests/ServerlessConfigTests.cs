using PayMyInvoice.Local;
using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.UnitTests;

/// <summary>The project's own serverless.yml, read the way the local stack reads it.</summary>
public sealed class ServerlessConfigTests
{
    private static ServerlessConfig Load(string? stage = null) => ServerlessConfig.Load(
        Path.Combine(RepositoryRoot.Find(), "serverless.yml"),
        stage is null ? null : new Dictionary<string, string> { ["stage"] = stage });

    [Fact]
    public void Each_function_has_its_runtime_memory_architecture_and_zip()
    {
        var config = Load();
        var getInvoice = config.Function("getInvoice");
        var billingWorker = config.Function("billingWorker");
        Assert.Equal(("provided.al2023", 256, "x86_64", "artifacts/api.zip"), (getInvoice.Runtime, getInvoice.MemorySize, getInvoice.Architecture, getInvoice.Artifact));
        Assert.Equal(("provided.al2023", "artifacts/billing.zip"), (billingWorker.Runtime, billingWorker.Artifact));
        Assert.All(config.FunctionNames, name => Assert.NotNull(config.Function(name).Artifact));
    }

    [Fact]
    public void A_local_function_gets_serverless_yml_memory_and_local_secrets_instead_of_SSM_parameters()
    {
        var config = Load();
        var deployment = new LocalDeployment(config, new LocalEndpoints(new Uri("http://127.0.0.1:1"), new Uri("http://127.0.0.1:2"), Smtp: new Uri("smtp://127.0.0.1:3")), RepositoryRoot.Find());

        var variables = deployment.FunctionVariables("notifications");

        Assert.Equal("256", variables["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]);
        Assert.Equal("smtp://127.0.0.1:3/", variables["SMTP_URL"]);
        Assert.DoesNotContain(variables.Keys, k => k.EndsWith("_SSM_PARAMETER", StringComparison.Ordinal)); // a process would ask SSM for them at init
        Assert.Equal("notifications", variables["PMI_FUNCTION"]);
    }

    [Fact]
    public void Every_function_picks_itself_and_has_one_trigger()
    {
        var config = Load();
        Assert.Equal(
            ["billing", "billingWorker", "createInvoice", "deleteInvoice", "getBilling", "getInvoice", "invoiceStream", "listInvoices", "notifications", "overdueInvoices", "payCheckout", "payInvoice", "payPage", "paymentEvents", "reconcilePayments", "stripeWebhook", "updateInvoice", "voidInvoice"],
            config.FunctionNames.Order(StringComparer.Ordinal));
        foreach (var name in config.FunctionNames)
        {
            var function = config.Function(name);
            Assert.Equal(name, function.Environment["PMI_FUNCTION"]);
            Assert.Equal(name is "overdueInvoices" or "reconcilePayments" ? 0 : 1, function.HttpRoutes.Count + function.Streams.Count + function.Queues.Count); // schedules are not read locally
        }

        Assert.Equal(new StreamSource("InvoicesTable", 25, 10, "InvoiceStreamFailuresQueue"), Assert.Single(config.Function("invoiceStream").Streams));
        Assert.Equal(new QueueSource("BillingQueue", 5), Assert.Single(config.Function("billingWorker").Queues));
        Assert.Equal(
            "arn:aws:sns:us-east-1:000000000000:paymyinvoice-dev-invoice-events",
            config.Function("invoiceStream").Environment["INVOICE_EVENTS_TOPIC_ARN"]);

        Assert.Equal(new HttpRoute("PUT", "/invoices/{id}", IamAuthorized: true), config.Function("updateInvoice").HttpRoutes[0]);
        Assert.Equal(new HttpRoute("POST", "/webhooks/stripe", IamAuthorized: false), config.Function("stripeWebhook").HttpRoutes[0]);
        Assert.Equal(new HttpRoute("GET", "/pay/{token}", IamAuthorized: false), config.Function("payPage").HttpRoutes[0]);

        // A URL CloudFormation builds at deploy time stays unresolved here; the local stack supplies its own gateway's.
        Assert.StartsWith("<Fn::Sub:https://${ApiGatewayRestApi}.execute-api.", config.Function("getInvoice").Environment["PAY_LINK_BASE"], StringComparison.Ordinal);
    }

    [Fact]
    public void Variables_resolve_through_custom_and_the_stage_option()
    {
        Assert.Equal("paymyinvoice-dev-invoices", Load().Function("getInvoice").Environment["INVOICES_TABLE"]);
        var prod = Load("prod");
        Assert.Equal("paymyinvoice-prod-invoices", prod.Function("getInvoice").Environment["INVOICES_TABLE"]);
        Assert.Equal("paymyinvoice-prod-getInvoice", prod.Function("getInvoice").DeployedName);
        Assert.Equal(TimeSpan.FromSeconds(10), prod.Function("getInvoice").Timeout);
    }

    [Fact]
    public void The_invoices_table_is_keyed_by_user_and_invoice_with_a_new_and_old_images_stream()
    {
        var (logicalId, properties) = Load().ResourcesOfType("AWS::DynamoDB::Table").Single(r => r.LogicalId == "InvoicesTable");
        var request = TableDefinitions.ToCreateTableRequest(properties);
        Assert.Equal("InvoicesTable", logicalId);
        Assert.Equal(["userId:HASH", "invoiceId:RANGE"], request.KeySchema.Select(k => $"{k.AttributeName}:{k.KeyType.Value}"));
        Assert.Equal("NEW_AND_OLD_IMAGES", request.StreamSpecification.StreamViewType.Value);
    }

    [Fact]
    public void An_unknown_function_names_the_ones_there_are() =>
        Assert.Contains("createInvoice", Assert.Throws<KeyNotFoundException>(() => Load().Function("nope")).Message, StringComparison.Ordinal);

    [Fact]
    public void An_unresolvable_variable_is_an_error_not_an_empty_string()
    {
        var config = Load();
        Assert.Throws<InvalidDataException>(() => config.ResolveString("${opt:nothing}"));
        Assert.Equal("fallback", config.ResolveString("${opt:nothing, 'fallback'}"));
        Assert.Equal("paymyinvoice-dev", config.ResolveString("${self:service}-${sls:stage}"));
    }

    [Fact]
    public void Stage_parameters_fall_back_to_their_defaults()
    {
        Assert.Equal("*", Load().Function("getInvoice").Environment["CORS_ALLOWED_ORIGIN"]);
        Assert.Equal("https://app.paymyinvoice.example", Load("prod").Function("getInvoice").Environment["CORS_ALLOWED_ORIGIN"]);
    }

    [Fact]
    public void Resources_come_from_the_files_serverless_yml_includes()
    {
        var config = Load();
        Assert.Equal(["IdempotencyTable", "InvoicesTable"], config.ResourcesOfType("AWS::DynamoDB::Table").Select(r => r.LogicalId).Order(StringComparer.Ordinal));
        Assert.Equal("paymyinvoice-dev-billing", config.Resource("BillingQueue").Properties["QueueName"]);
        Assert.Equal("AWS::Cognito::UserPool", config.Resource("UserPool").Type);
    }

    [Fact]
    public void CloudFormation_substitutions_are_left_for_CloudFormation() =>
        Assert.Equal("arn:${AWS::Partition}:ssm:/paymyinvoice/dev", Load().ResolveString("arn:${AWS::Partition}:ssm:/${self:service}/${sls:stage}"));

    [Fact]
    public void Schedules_are_read_from_the_functions_schedule_events()
    {
        Assert.Equal([new ScheduleSource("cron(0 8 * * ? *)")], Load().Function("overdueInvoices").Schedules!);
        Assert.Equal([new ScheduleSource("rate(15 minutes)")], Load().Function("reconcilePayments").Schedules!);
    }
}
