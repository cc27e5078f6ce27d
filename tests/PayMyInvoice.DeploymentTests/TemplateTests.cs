using System.IO.Compression;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace PayMyInvoice.DeploymentTests;

/// <summary>The packaged template and zips hold what a safe deployment needs (see <see cref="TemplateChecks"/>).</summary>
[Collection(PackagedDeploymentCollection.Name)]
public sealed class TemplateTests(PackagedDeployment package, ITestOutputHelper output)
{
    private TemplateChecks Checks => package.Checks;

    private JsonObject Function(string name) =>
        package.Template["Resources"]![PackagedDeployment.FunctionLogicalId(name)]!["Properties"]!.AsObject();

    [Fact]
    public void Every_Ref_GetAtt_Sub_and_Condition_resolves() => Assert.Empty(Checks.UnresolvedReferences());

    [Fact]
    public void Every_queue_and_stream_source_reports_batch_item_failures()
    {
        Assert.Equal(4, Checks.OfType("AWS::Lambda::EventSourceMapping").Count());
        Assert.Empty(Checks.EventSourcesWithoutBatchItemFailures());
    }

    [Fact]
    public void Every_consumed_queue_has_a_dead_letter_queue_and_six_times_its_consumers_timeout() =>
        Assert.Empty(Checks.ConsumedQueuesWithoutSafeRedrive());

    [Fact]
    public void No_statement_allows_a_wildcard_action_or_any_resource() => Assert.Empty(Checks.OverbroadStatements());

    [Fact]
    public void Every_function_has_a_role_of_its_own_and_the_shared_role_is_gone()
    {
        Assert.Empty(Checks.SharedRoles());
        Assert.Null(package.Template["Resources"]!["IamRoleLambdaExecution"]);
    }

    [Fact]
    public void The_webhook_cannot_touch_the_invoices_or_idempotency_tables_and_only_publishes_payment_events()
    {
        var reachable = Checks.ResourcesReachableBy("StripeWebhookLambdaFunction");
        Assert.DoesNotContain("InvoicesTable", reachable);
        Assert.DoesNotContain("IdempotencyTable", reachable);
        Assert.Equal(["PaymentEventsTopic"], reachable.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_http_functions_reach_the_invoices_table_and_nothing_else()
    {
        // The three that take an Idempotency-Key also remember requests in the idempotency table.
        string[] remembering = ["createInvoice", "payInvoice", "billing"];
        foreach (var name in new[] { "createInvoice", "listInvoices", "getInvoice", "updateInvoice", "deleteInvoice", "payInvoice", "voidInvoice", "billing", "getBilling" })
        {
            string[] expected = remembering.Contains(name) ? ["IdempotencyTable", "InvoicesTable"] : ["InvoicesTable"];
            Assert.Equal(expected, Checks.ResourcesReachableBy(PackagedDeployment.FunctionLogicalId(name)).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void No_secret_is_in_the_template_only_the_names_of_SSM_parameters()
    {
        Assert.Empty(Checks.SecretLookingValues());
        Assert.Equal("/paymyinvoice/prod/stripe-secret-key", Function("billingWorker")["Environment"]!["Variables"]!["STRIPE_SECRET_KEY_SSM_PARAMETER"]!.GetValue<string>());
    }

    [Fact]
    public void Every_handler_is_in_its_zip_and_every_zip_is_inside_Lambdas_limits()
    {
        Assert.Empty(Checks.MissingHandlers());
        Assert.Empty(Checks.LimitsExceeded());
        foreach (var zip in new[] { "api", "workers", "billing" })
        {
            var (zipped, unzipped) = TemplateChecks.Sizes(Path.Combine(PackagedDeployment.Root, ".serverless", zip + ".zip"));
            output.WriteLine($"{zip}.zip: {zipped / 1048576.0:F1} MiB zipped, {unzipped / 1048576.0:F1} MiB unzipped");
        }
    }

    [Fact]
    public void Every_function_runs_its_bootstrap_on_provided_al2023_and_only_billing_zip_carries_a_runtime()
    {
        var runtimes = Checks.OfType("AWS::Lambda::Function")
            .Where(f => !f.LogicalId.StartsWith("WarmUp", StringComparison.Ordinal))
            .ToLookup(f => f.Properties["Runtime"]!.GetValue<string>(), f => f.LogicalId);
        Assert.Equal(18, Assert.Single(runtimes, r => r.Key == "provided.al2023").Count());
        Assert.All(runtimes["provided.al2023"], id => Assert.Equal("bootstrap", package.Template["Resources"]![id]!["Properties"]!["Handler"]!.GetValue<string>()));

        // billing.zip (the Stripe.net functions) is self-contained composite ReadyToRun; the others are Native AOT.
        using (var billing = ZipFile.OpenRead(Path.Combine(PackagedDeployment.Root, "artifacts", "billing.zip")))
        {
            Assert.NotNull(billing.GetEntry("libcoreclr.so"));
            Assert.NotNull(billing.GetEntry("PayMyInvoice.Billing.r2r.dll"));
        }

        foreach (var aot in new[] { "api.zip", "workers.zip" })
        {
            using var zip = ZipFile.OpenRead(Path.Combine(PackagedDeployment.Root, "artifacts", aot));
            Assert.Null(zip.GetEntry("libcoreclr.so"));
        }
    }

    [Theory]
    [InlineData("Api", new[] { "Stripe.net", "MailKit" })]
    [InlineData("Workers", new[] { "Stripe.net" })]
    public void No_native_AOT_deployable_references_Stripe_net_or_a_package_it_does_not_use(string project, string[] forbidden)
    {
        var assets = JsonNode.Parse(File.ReadAllText(Path.Combine(PackagedDeployment.Root, "src", project, "obj", "project.assets.json")))!;
        var libraries = assets["libraries"]!.AsObject().Select(l => l.Key.Split('/')[0]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var package in forbidden)
        {
            Assert.DoesNotContain(package, libraries);
        }
    }

    [Fact]
    public void Every_bootstrap_and_native_library_loads_on_Amazon_Linux_2023s_glibc()
    {
        foreach (var deployable in new[] { "api", "workers", "billing" })
        {
            var needed = Version.Parse(File.ReadAllText(Path.Combine(PackagedDeployment.Root, "artifacts", deployable, "glibc.txt")).Trim());
            output.WriteLine($"{deployable} needs GLIBC_{needed}");
            Assert.True(needed <= new Version(2, 34), $"{deployable} needs GLIBC_{needed}");
        }
    }

    [Fact]
    public void Browsers_may_send_Idempotency_Key_from_the_stages_origin_only()
    {
        var options = Checks.OfType("AWS::ApiGateway::Method").Where(m => m.Properties["HttpMethod"]!.GetValue<string>() == "OPTIONS").ToList();
        Assert.NotEmpty(options);
        foreach (var (_, method) in options)
        {
            var headers = method["Integration"]!["IntegrationResponses"]![0]!["ResponseParameters"]!.AsObject();
            Assert.Contains("Idempotency-Key", headers["method.response.header.Access-Control-Allow-Headers"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal("'https://app.paymyinvoice.example'", headers["method.response.header.Access-Control-Allow-Origin"]!.GetValue<string>());
        }

        Assert.Equal("https://app.paymyinvoice.example", Function("getInvoice")["Environment"]!["Variables"]!["CORS_ALLOWED_ORIGIN"]!.GetValue<string>());
    }

    [Fact]
    public void API_Gateways_own_errors_carry_CORS_headers_and_the_error_shape()
    {
        var responses = Checks.OfType("AWS::ApiGateway::GatewayResponse").ToDictionary(r => r.Properties["ResponseType"]!.GetValue<string>(), r => r.Properties);
        foreach (var type in new[] { "DEFAULT_4XX", "DEFAULT_5XX" })
        {
            Assert.Equal("'https://app.paymyinvoice.example'", responses[type]["ResponseParameters"]!["gatewayresponse.header.Access-Control-Allow-Origin"]!.GetValue<string>());
            Assert.StartsWith("{\"error\":{\"code\":", responses[type]["ResponseTemplates"]!["application/json"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_stage_is_throttled_logs_are_kept_14_days_and_billing_stays_inside_Stripes_rate_limit()
    {
        var stage = Assert.Single(Checks.OfType("AWS::ApiGateway::Stage")).Properties;
        Assert.Contains(stage["MethodSettings"]!.AsArray(), s => s!["ResourcePath"]!.GetValue<string>() == "/*" && s["ThrottlingRateLimit"] is not null && s["ThrottlingBurstLimit"] is not null);
        Assert.All(Checks.OfType("AWS::Logs::LogGroup"), g => Assert.Equal(14, g.Properties["RetentionInDays"]!.GetValue<int>()));
        var billing = Checks.OfType("AWS::Lambda::EventSourceMapping").Single(m => m.LogicalId.StartsWith("BillingWorker", StringComparison.Ordinal)).Properties;
        Assert.Equal(5, billing["ScalingConfig"]!["MaximumConcurrency"]!.GetValue<int>());
    }

    [Fact]
    public void Every_dead_letter_queue_and_every_function_has_an_alarm_on_the_alerts_topic()
    {
        var alarms = Checks.OfType("AWS::CloudWatch::Alarm").Select(a => a.Properties).ToList();
        Assert.All(alarms, a => Assert.Equal("AlertsTopic", a["AlarmActions"]![0]!["Ref"]!.GetValue<string>()));
        string? Watched(JsonObject alarm) => alarm["Dimensions"]?[0]?["Value"] is not JsonObject v ? null : v["Ref"] is JsonValue r ? r.GetValue<string>() : v["Fn::GetAtt"]![0]!.GetValue<string>();
        foreach (var queue in new[] { "BillingDeadLetterQueue", "PaymentEventsDeadLetterQueue", "NotificationsDeadLetterQueue", "InvoiceStreamFailuresQueue" })
        {
            Assert.Contains(alarms, a => Watched(a) == queue && a["MetricName"]!.GetValue<string>() == "ApproximateNumberOfMessagesVisible");
        }

        foreach (var (function, _) in Checks.OfType("AWS::Lambda::Function").Where(f => !f.LogicalId.StartsWith("WarmUp", StringComparison.Ordinal)))
        {
            Assert.Contains(alarms, a => Watched(a) == function && a["MetricName"]!.GetValue<string>() == "Errors");
            Assert.Contains(alarms, a => Watched(a) == function && a["MetricName"]!.GetValue<string>() == "Throttles");
        }
    }

    [Fact]
    public void Stripe_refusing_billingWorkers_requests_raises_an_alarm_from_its_log_line()
    {
        var filter = Assert.Single(Checks.OfType("AWS::Logs::MetricFilter")).Properties;
        Assert.Equal("BillingWorkerLogGroup", filter["LogGroupName"]!["Ref"]!.GetValue<string>());
        Assert.Contains("$.error_class = \"stripe_configuration\"", filter["FilterPattern"]!.GetValue<string>(), StringComparison.Ordinal);
        var metric = filter["MetricTransformations"]![0]!["MetricName"]!.GetValue<string>();
        Assert.Contains(Checks.OfType("AWS::CloudWatch::Alarm"), a => a.Properties["MetricName"]!.GetValue<string>() == metric);
    }

    [Fact]
    public void The_warmer_may_invoke_exactly_the_managed_runtime_functions_it_warms()
    {
        var warmer = package.Template["Resources"]!["WarmerRole"]!["Properties"]!["Policies"]![0]!["PolicyDocument"]!["Statement"]!.AsArray();
        var invoke = warmer.Single(s => s!["Action"]!.AsArray().Any(a => a!.GetValue<string>() == "lambda:InvokeFunction"))!;
        var functions = invoke["Resource"]!.AsArray()
            .Select(r => System.Text.RegularExpressions.Regex.Match(r!.ToJsonString(), "[A-Za-z]+LambdaFunction").Value)
            .ToHashSet(StringComparer.Ordinal);

        // serverless.yml enables warm-up on these two (prod); a function warmed without this permission is never warmed.
        Assert.Equal(["BillingWorkerLambdaFunction", "PayCheckoutLambdaFunction"], functions.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_README_carries_the_IAM_table_of_the_packaged_template()
    {
        var table = IamTable.Render(package.Template, PackagedDeployment.Stage);
        output.WriteLine(table);
        var readme = File.ReadAllText(Path.Combine(PackagedDeployment.Root, "README.md"));
        Assert.True(readme.Contains(table, StringComparison.Ordinal), "README.md's IAM table differs from the template's; replace it with:\n" + table);
    }
}
