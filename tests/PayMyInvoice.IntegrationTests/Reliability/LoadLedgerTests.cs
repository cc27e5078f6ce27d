using System.Collections.Concurrent;
using System.Diagnostics;
using PayMyInvoice.Local;
using PayMyInvoice.StripeEmulator;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>
/// Issue 9, item 3: invoices created and paid concurrently over HTTP on the whole local pipeline, with duplicated pay
/// requests, duplicated queue deliveries and random Stripe faults, then the ledger counted from outside.
/// </summary>
[Collection(LocalServicesCollection.Name)]
[Trait("Category", ReliabilityRun.Category)]
public sealed class LoadLedgerTests(LocalServicesFixture local) : IAsyncLifetime
{
    private const double DuplicatePayShare = 0.2;
    private const double DuplicateDeliveryShare = 0.2;
    private const double StripeFaultRate = 0.1;
    private const double DeclinedShare = 0.1;

    private LocalPipeline _pipeline = null!;

    public async Task InitializeAsync()
    {
        _pipeline = await local.StartPipelineAsync();
        await _pipeline.DrainAsync(CancellationToken.None); // the seeded samples' own events
    }

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();

    [Fact]
    public async Task Invoices_paid_under_load_with_duplicates_and_Stripe_faults_are_each_charged_once_and_settled()
    {
        var count = ReliabilityRun.Pick(test: 30, quick: 150, full: 2_000);
        var run = Guid.NewGuid().ToString("N")[..8];
        var random = new Random(20261128);
        var plans = Enumerable.Range(0, count).Select(i => (
            Index: i,
            User: $"us-east-1:{run}-0000-4000-8000-{i % 5:D12}",
            Declined: random.NextDouble() < DeclinedShare,
            Duplicated: random.NextDouble() < DuplicatePayShare)).ToList();
        using var api = new TimedApi(_pipeline.Gateway.BaseUrl, run);
        using var stop = new CancellationTokenSource();
        var duplicator = await DeliveryDuplicator.StartAsync(_pipeline.Deployment, DuplicateDeliveryShare, seed: 7, stop.Token);
        _pipeline.Stripe.FailRandomly(StripeFaultRate, [FaultKind.ServerError, FaultKind.RateLimited, FaultKind.RateLimitError], seed: 11);
        var running = _pipeline.RunAsync(stop.Token);
        var clock = Stopwatch.StartNew();

        var invoices = new ConcurrentBag<PaidInvoice>();
        await Parallel.ForEachAsync(plans, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (plan, _) =>
        {
            if (await api.CreateAsync(plan.User, plan.Index) is { } id)
            {
                invoices.Add(new PaidInvoice(plan.User, id, api.Payer(plan.Index), plan.Declined));
                var card = plan.Declined ? "pm_card_chargeDeclined" : "pm_card_visa";
                var key = $"pay-{plan.Index}";
                await (plan.Duplicated ? Task.WhenAll(api.PayAsync(plan.User, id, card, key), api.PayAsync(plan.User, id, card, key)) : (Task)api.PayAsync(plan.User, id, card, key));
            }
        });
        var requestSeconds = clock.Elapsed.TotalSeconds;
        var finals = await Ledger.SettleAsync(local, _pipeline, [.. invoices], TimeSpan.FromSeconds(ReliabilityRun.Pick(test: 120, quick: 300, full: 1_800)));
        var settledSeconds = clock.Elapsed.TotalSeconds;
        await Ledger.QuietAsync(_pipeline, TimeSpan.FromSeconds(120)); // the last receipts, so that the email count is complete
        _pipeline.Stripe.FailRandomly(0, [], 0);
        await stop.CancelAsync();
        await Task.WhenAll(running.ContinueWith(_ => { }, TaskScheduler.Default), duplicator.Completion);

        var ledger = await Ledger.CountAsync(local, _pipeline, [.. invoices], finals);
        ReliabilityRun.Record("load", "ledger", new
        {
            invoices = count,
            created = invoices.Count,
            ledger.Paid,
            ledger.Failed,
            ledger.Charges,
            ledger.DoubleCharges,
            ledger.Undecided,
            ledger.DeadLettered,
            ledger.DuplicateEmails,
            ledger.DeclinedCharged,
            duplicatedPayRequests = plans.Count(p => p.Duplicated),
            duplicatedDeliveries = duplicator.Duplicated,
            stripeFaults = _pipeline.Stripe.FaultsInjected.ToDictionary(f => f.Key.ToString(), f => f.Value),
            stripeApiCalls = _pipeline.Stripe.ApiCalls,
            answers = api.Answers.OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary(),
            requestSeconds = Math.Round(requestSeconds, 1),
            settledSeconds = Math.Round(settledSeconds, 1),
            throughputPerSecond = Math.Round(count / settledSeconds, 1),
            requestsPerSecond = Math.Round(api.LatenciesMs.Values.Sum(l => l.Count) / requestSeconds, 1),
            p50Ms = api.Percentile(0.50),
            p99Ms = api.Percentile(0.99),
        });

        Assert.Equal(count, invoices.Count);
        Assert.Equal(0, api.ServerErrors);
        Assert.True(ledger.Balanced, ledger.ToString());
        Assert.True(ledger.Paid > 0, "nothing was paid at all");
    }
}
