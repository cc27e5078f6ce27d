using System.Text.Json;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PayMyInvoice.Contracts;
using PayMyInvoice.Local;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// Every sample in mocks/ answers as it should when invoked the way `invoke` does: serverless.yml's environment, the
/// host's invocation path, DynamoDB Local seeded from mocks/seed.
/// </summary>
[Collection(LocalServicesCollection.Name)]
public sealed class MockEventTests(LocalServicesFixture local) : IAsyncLifetime
{
    private PayMyInvoice.StripeEmulator.StripeEmulatorServer _stripe = null!;

    public async Task InitializeAsync() => _stripe = await PayMyInvoice.StripeEmulator.StripeEmulatorServer.StartAsync();

    public async Task DisposeAsync() => await _stripe.DisposeAsync();

    public static TheoryData<string, int> Mocks => new()
    {
        { "createInvoice", 201 },
        { "listInvoices", 200 },
        { "getInvoice", 200 },
        { "updateInvoice", 200 },
        { "deleteInvoice", 204 },
        { "payInvoice", 202 },
        { "voidInvoice", 200 },
        { "billing", 202 },
        { "getBilling", 200 },
        { "payPage", 200 },
        { "payCheckout", 303 },

        // A recorded delivery: correctly signed with the local secret, but long past Stripe's 300 s tolerance.
        { "stripeWebhook", 400 },
    };

    [Theory]
    [MemberData(nameof(Mocks))]
    public async Task Each_mock_event_gets_its_expected_answer(string function, int expectedStatus)
    {
        var deployment = await local.DeployFreshStageAsync(_stripe.BaseUrl);
        var payload = await File.ReadAllBytesAsync(Path.Combine(RepositoryRoot.Find(), "mocks", function + ".json"));

        var outcome = await deployment.InvokeAsync(function, payload, CancellationToken.None);

        Assert.Null(outcome.Error);
        var response = JsonSerializer.Deserialize(outcome.Response, ContractsJsonContext.Wire.APIGatewayProxyResponse)!;
        Assert.True(expectedStatus == response.StatusCode, $"{function}: {response.StatusCode} {response.Body}");
        if (function == "listInvoices")
        {
            var seeded = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "mocks", "seed", "InvoicesTable.json")))!.AsArray();
            var invoices = seeded.Count(i => i!["invoiceId"]!.GetValue<string>().StartsWith("inv_", StringComparison.Ordinal));
            Assert.Equal(invoices, JsonNode.Parse(response.Body!)!["items"]!.AsArray().Count); // the seeded invoices (not fees), all the mock user's
        }
    }

    [Fact]
    public void Every_function_in_serverless_yml_has_a_mock_and_a_case_here()
    {
        var root = RepositoryRoot.Find();
        var config = PayMyInvoice.Local.Serverless.ServerlessConfig.Load(Path.Combine(root, "serverless.yml"));
        var covered = Mocks.Select(row => (string)row[0]).Append("invoiceStream").Append("billingWorker").Append("paymentEvents").Append("notifications").Append("overdueInvoices").Append("reconcilePayments").ToHashSet();
        Assert.All(config.FunctionNames, name =>
        {
            Assert.True(File.Exists(Path.Combine(root, "mocks", name + ".json")), $"mocks/{name}.json is missing");
            Assert.Contains(name, covered);
        });
    }

    [Fact]
    public async Task The_reconcilePayments_mock_requeues_the_seeded_payment_Stripe_never_saw()
    {
        var deployment = await local.DeployFreshStageAsync(_stripe.BaseUrl);
        var payload = await File.ReadAllBytesAsync(Path.Combine(RepositoryRoot.Find(), "mocks", "reconcilePayments.json"));

        var outcome = await deployment.InvokeAsync("reconcilePayments", payload, CancellationToken.None);

        Assert.Null(outcome.Error);
        // The seeded invoice in processing since 2026-11-20 was never charged (nothing ran the stream): one re-queue.
        Assert.Equal("""{"examined":1,"settled":0,"requeued":1,"failed":0,"left":0,"errors":0,"stopped":false}""", System.Text.Encoding.UTF8.GetString(outcome.Response!));
    }

    [Fact]
    public async Task The_invoiceStream_mock_publishes_its_change_and_reports_no_failures()
    {
        var deployment = await local.DeployFreshStageAsync();
        var payload = await File.ReadAllBytesAsync(Path.Combine(RepositoryRoot.Find(), "mocks", "invoiceStream.json"));

        var outcome = await deployment.InvokeAsync("invoiceStream", payload, CancellationToken.None);

        Assert.Null(outcome.Error);
        Assert.Equal("""{"batchItemFailures":[]}""", System.Text.Encoding.UTF8.GetString(outcome.Response!));
    }

    [Fact]
    public async Task The_billingWorker_mock_charges_the_seeded_payment_once()
    {
        var deployment = await local.DeployFreshStageAsync(_stripe.BaseUrl);
        var payload = await File.ReadAllBytesAsync(Path.Combine(RepositoryRoot.Find(), "mocks", "billingWorker.json"));

        var first = await deployment.InvokeAsync("billingWorker", payload, CancellationToken.None);
        var again = await deployment.InvokeAsync("billingWorker", payload, CancellationToken.None);

        Assert.Equal("""{"batchItemFailures":[]}""", System.Text.Encoding.UTF8.GetString(first.Response!));
        Assert.Equal("""{"batchItemFailures":[]}""", System.Text.Encoding.UTF8.GetString(again.Response!));
        Assert.Equal(1, _stripe.Charges);
    }

    [Fact]
    public async Task The_paymentEvents_mock_settles_the_seeded_payment()
    {
        var deployment = await local.DeployFreshStageAsync(_stripe.BaseUrl);
        var payload = await File.ReadAllBytesAsync(Path.Combine(RepositoryRoot.Find(), "mocks", "paymentEvents.json"));

        var outcome = await deployment.InvokeAsync("paymentEvents", payload, CancellationToken.None);

        Assert.Equal("""{"batchItemFailures":[]}""", System.Text.Encoding.UTF8.GetString(outcome.Response!));
        var store = new PayMyInvoice.Infrastructure.DynamoDb.DynamoDbInvoiceStore(local.DynamoDb, deployment.TableName("InvoicesTable"));
        var invoice = await store.GetAsync("us-east-1:7d3f0a52-6a7e-4d8e-9b1c-2f4e8a9c0b11", "inv_019a2f3c4d5e7f808a9b0c1d2e3f4a5e", default);
        Assert.Equal(PayMyInvoice.Core.Invoices.InvoiceStatus.Paid, invoice!.Status);
    }

    [Fact]
    public async Task The_notifications_mock_emails_the_payer_once_however_often_it_is_invoked()
    {
        var deployment = await local.DeployFreshStageAsync(_stripe.BaseUrl);
        var payload = await File.ReadAllBytesAsync(Path.Combine(RepositoryRoot.Find(), "mocks", "notifications.json"));
        using var http = new HttpClient();
        int Count(JsonArray inbox) => inbox.Count(m => m!["subject"]!.GetValue<string>() == "Invoice for EUR 120.00: Hosting, November");
        var before = Count((await http.GetFromJsonAsync<JsonArray>(new Uri(local.Services.Inbox, "/email")))!);

        var first = await deployment.InvokeAsync("notifications", payload, CancellationToken.None);
        var again = await deployment.InvokeAsync("notifications", payload, CancellationToken.None);

        Assert.Equal("""{"batchItemFailures":[]}""", System.Text.Encoding.UTF8.GetString(first.Response!));
        Assert.Equal("""{"batchItemFailures":[]}""", System.Text.Encoding.UTF8.GetString(again.Response!));
        Assert.Equal(before + 1, Count((await http.GetFromJsonAsync<JsonArray>(new Uri(local.Services.Inbox, "/email")))!));
    }

    [Fact]
    public async Task The_overdueInvoices_mock_reminds_the_seeded_open_invoice_once()
    {
        var deployment = await local.DeployFreshStageAsync(_stripe.BaseUrl);
        var payload = await File.ReadAllBytesAsync(Path.Combine(RepositoryRoot.Find(), "mocks", "overdueInvoices.json"));

        var first = await deployment.InvokeAsync("overdueInvoices", payload, CancellationToken.None);
        var again = await deployment.InvokeAsync("overdueInvoices", payload, CancellationToken.None);

        Assert.Equal("""{"processed":1}""", System.Text.Encoding.UTF8.GetString(first.Response!));
        Assert.Equal("""{"processed":0}""", System.Text.Encoding.UTF8.GetString(again.Response!));
    }

    [Fact]
    public async Task A_warm_up_event_is_answered_without_reaching_the_function()
    {
        var deployment = await local.DeployFreshStageAsync();
        var outcome = await deployment.InvokeAsync("createInvoice", """{"source":"serverless-plugin-warmup"}"""u8.ToArray(), CancellationToken.None);
        Assert.Equal("""{"warmed":true}""", System.Text.Encoding.UTF8.GetString(outcome.Response!));
    }
}
