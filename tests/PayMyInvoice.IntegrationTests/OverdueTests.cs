using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.ScheduledEvents;
using PayMyInvoice.Local;
using PayMyInvoice.StripeEmulator;
using PayMyInvoice.Tests;

namespace PayMyInvoice.IntegrationTests;

/// <summary>The daily overdue run over the sparse index: reminders on the configured days after the due date, each emailed once.</summary>
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
    public async Task An_unpaid_invoice_is_reminded_on_days_1_7_and_14_after_its_due_date_then_never_again()
    {
        var overdue = await CreateAsync("2030-03-01", "open");
        await CreateAsync("2030-03-10", "open"); // due later: reminded on its own days
        await CreateAsync("2030-03-01", "draft"); // never issued: no reminder
        await _pipeline.DrainAsync(CancellationToken.None);

        var runs = new List<int>();
        foreach (var time in new[] { "2030-03-02T08:00:00Z", "2030-03-02T09:30:00Z", "2030-03-05T08:00:00Z", "2030-03-08T08:00:00Z", "2030-03-20T08:00:00Z", "2030-03-30T08:00:00Z" })
        {
            runs.Add(await RunAsync(time));
            await _pipeline.DrainAsync(CancellationToken.None);
        }

        // The seeded sample invoices that are unpaid are long overdue by 2030: one reminder (the day-14 one) on the first run.
        var seeded = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "mocks", "seed", "InvoicesTable.json")))!
            .AsArray().Count(i => i!["status"]!.GetValue<string>() is "open" or "payment_failed");
        // For the one due 03-01: day 1; the same day again; day 4 (nothing due); day 7; day 19, making up for day 14
        // (a missed run); day 29: done. For the one due 03-10: day 10 makes up for day 7, day 20 for day 14.
        Assert.Equal([1 + seeded, 0, 0, 1, 2, 1], runs);
        var reminders = (await InboxAsync()).Where(s => s.StartsWith("Reminder", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, reminders.Count(r => r == "Reminder: USD 15.00 was due 2030-03-01"));
        Assert.Equal(2, reminders.Count(r => r == "Reminder: USD 15.00 was due 2030-03-10"));
        Assert.Equal(5, reminders.Count);

        // Reminders keep the version: the owner's edit made with the version read at creation is not a conflict.
        var read = await _pipeline.Deployment.HttpAsync("getInvoice", ApiCalls.Event("GET", $"/invoices/{overdue}", id: overdue));
        Assert.Equal(1, read["version"]!.GetValue<long>());
        var edit = ApiCalls.NewInvoice(status: "open");
        edit["dueDate"] = "2030-04-01";
        edit["payerEmail"] = _payer;
        edit["version"] = 1;
        var updated = await _pipeline.Deployment.HttpAsync("updateInvoice", ApiCalls.Event("PUT", $"/invoices/{overdue}", body: edit.ToJsonString(), id: overdue));
        Assert.Equal(2, updated["version"]!.GetValue<long>());
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

    [Fact]
    public async Task The_local_stack_fires_the_daily_run_at_the_time_serverless_yml_schedules()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2030, 3, 2, 7, 59, 0, TimeSpan.Zero));
        await using var pipeline = await LocalPipeline.StartAsync(_pipeline.Deployment, _stripe, time: clock);
        var daily = Assert.Single(pipeline.Schedules, s => s.FunctionName == "overdueInvoices");
        Assert.Equal(("overdueInvoices", "cron(0 8 * * ? *)"), (daily.FunctionName, daily.Expression));
        using var stop = new CancellationTokenSource();
        var running = daily.RunAsync(stop.Token);

        clock.Advance(TimeSpan.FromSeconds(59));
        await Task.Delay(200);
        Assert.Equal(0, daily.Fired); // 07:59:59: not yet
        clock.Advance(TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (daily.Fired == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(1, daily.Fired);
    }
}
