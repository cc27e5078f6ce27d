using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.ScheduledEvents;
using PayMyInvoice.Local;
using PayMyInvoice.StripeEmulator;
using PayMyInvoice.Tests;

namespace PayMyInvoice.IntegrationTests;

/// <summary>The daily overdue run over the sparse index: one reminder per unpaid invoice per day, emailed once.</summary>
[Collection(LocalServicesCollection.Name)]
public sealed class OverdueTests(LocalServicesFixture local) : IAsyncLifetime
{
    private StripeEmulatorServer _stripe = null!;
    private LocalPipeline _pipeline = null!;
    private readonly HttpClient _http = new();
    private readonly string _payer = $"late-{Guid.NewGuid():N}@example.com";

    public async Task InitializeAsync()
    {
        _pipeline = await local.StartPipelineAsync();
        _stripe = _pipeline.Stripe;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _pipeline.DisposeAsync();
    }

    [Fact]
    public async Task An_unpaid_invoice_past_due_gets_one_reminder_a_day()
    {
        var overdue = await CreateAsync("2030-03-01", "open");
        await CreateAsync("2030-03-10", "open"); // not yet due
        await CreateAsync("2030-03-01", "draft"); // never issued: no reminder
        await _pipeline.DrainAsync(CancellationToken.None);

        var firstRun = await RunAsync("2030-03-05T08:00:00Z");
        var rerunSameDay = await RunAsync("2030-03-05T09:30:00Z");
        await _pipeline.DrainAsync(CancellationToken.None);
        var nextDay = await RunAsync("2030-03-06T08:00:00Z");
        await _pipeline.DrainAsync(CancellationToken.None);

        // The seeded sample invoices that are unpaid are long overdue by 2030 too.
        var seeded = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "mocks", "seed", "InvoicesTable.json")))!
            .AsArray().Count(i => i!["status"]!.GetValue<string>() is "open" or "payment_failed");
        Assert.Equal((1 + seeded, 0, 1 + seeded), (firstRun, rerunSameDay, nextDay));
        var reminders = (await InboxAsync()).Where(s => s.StartsWith("Reminder", StringComparison.Ordinal)).ToList();
        Assert.Equal(["Reminder: USD 15.00 was due 2030-03-01", "Reminder: USD 15.00 was due 2030-03-01"], reminders);
        Assert.NotNull(overdue);
    }

    private async Task<string> CreateAsync(string dueDate, string status)
    {
        var invoice = ApiCalls.NewInvoice(status: status);
        invoice["dueDate"] = dueDate;
        invoice["payerEmail"] = _payer;
        var created = await _pipeline.Deployment.HttpAsync("createInvoice", ApiCalls.Event("POST", "/invoices", body: invoice.ToJsonString()));
        return created["invoiceId"]!.GetValue<string>();
    }

    private async Task<int> RunAsync(string time)
    {
        var schedule = new ScheduledEvent { Version = "0", Id = Guid.NewGuid().ToString(), DetailType = "Scheduled Event", Source = "aws.events", Time = DateTime.Parse(time, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal), Region = "us-east-1" };
        var outcome = await _pipeline.Deployment.InvokeAsync("overdueInvoices", JsonSerializer.SerializeToUtf8Bytes(schedule, ContractsJsonContext.Wire.ScheduledEvent), CancellationToken.None);
        Assert.Null(outcome.Error);
        return JsonSerializer.Deserialize(outcome.Response, ContractsJsonContext.Wire.ScheduledRunResponse)!.Processed;
    }

    private async Task<List<string>> InboxAsync() =>
        (await _http.GetFromJsonAsync<JsonArray>(new Uri(local.Services.Inbox, "/email")))!
            .Where(m => m!["to"]!.AsArray().Any(t => t!["address"]!.GetValue<string>() == _payer))
            .Select(m => m!["subject"]!.GetValue<string>())
            .ToList();
}
