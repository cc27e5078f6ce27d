using System.Text.Json.Nodes;
using PayMyInvoice.Api;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Tests;
using static PayMyInvoice.Tests.ApiCalls;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// Idempotency-Key on POST /invoices, /invoices/{id}/pay and /billing against DynamoDB Local: the request is remembered
/// with its answer in the same transaction as the invoice, per user, and the same key answers the first answer again.
/// </summary>
[Collection(LocalServicesCollection.Name)]
public sealed class IdempotencyKeyTests(LocalServicesFixture local) : IAsyncLifetime
{
    private ApiCalls _api = null!;
    private DynamoDbInvoiceStore _store = null!;
    private string _invoices = "";
    private string _requests = "";

    public async Task InitializeAsync()
    {
        var deployment = await local.DeployFreshStageAsync();
        var environment = deployment.Config.Function("createInvoice").Environment;
        _invoices = environment[ApiFunctions.TableVariable];
        _requests = environment[ApiFunctions.IdempotencyTableVariable];
        _store = new DynamoDbInvoiceStore(local.DynamoDb, _invoices, _requests);
        _api = new ApiCalls(ApiFunctions.Create(() => _store, TestPayLinks.Keys));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Creating_twice_with_one_key_makes_one_invoice_and_answers_the_first_answer_again()
    {
        var before = await local.CountItemsAsync(_invoices);
        var first = await CreateAsync(NewInvoice(), "create-1");
        var again = await CreateAsync(NewInvoice(), "create-1");

        Assert.Equal((201, 201), (first.Status, again.Status));
        Assert.Equal(first.Body!.ToJsonString(), again.Body!.ToJsonString());
        Assert.Equal(first.Headers["Location"], again.Headers["Location"]);
        Assert.Equal("true", again.Headers["Idempotent-Replayed"]);
        Assert.False(first.Headers.ContainsKey("Idempotent-Replayed"));
        Assert.Equal(before + 1, await local.CountItemsAsync(_invoices));
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_422_idempotency_key_reused_and_writes_nothing()
    {
        await CreateAsync(NewInvoice(amount: 1500), "create-2");
        var (invoices, requests) = (await local.CountItemsAsync(_invoices), await local.CountItemsAsync(_requests));

        var reused = await CreateAsync(NewInvoice(amount: 2500), "create-2");

        Assert.Equal((422, "idempotency_key_reused"), (reused.Status, reused.ErrorCode));
        Assert.Equal((invoices, requests), (await local.CountItemsAsync(_invoices), await local.CountItemsAsync(_requests)));
    }

    [Fact]
    public async Task The_same_body_spaced_differently_is_the_same_request()
    {
        var first = await CreateAsync(NewInvoice(), "create-spacing");
        var again = await SendWithKeyAsync("createInvoice", Event("POST", "/invoices", body: NewInvoice().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })), "create-spacing");
        Assert.Equal((201, "true", first.Id), (again.Status, again.Headers["Idempotent-Replayed"], again.Id));
    }

    [Fact]
    public async Task A_400_with_a_key_is_not_remembered_so_the_corrected_retry_with_that_key_succeeds()
    {
        var bad = NewInvoice();
        bad["payerEmail"] = "not-an-email";
        var refused = await CreateAsync(bad, "create-3");
        var corrected = await CreateAsync(NewInvoice(), "create-3");

        Assert.Equal((400, "validation_failed"), (refused.Status, refused.ErrorCode));
        Assert.Equal(201, corrected.Status);
        Assert.False(corrected.Headers.ContainsKey("Idempotent-Replayed"));
    }

    [Fact]
    public async Task Keys_are_per_user_so_Bobs_key_k_does_not_replay_Alices()
    {
        var alices = await CreateAsync(NewInvoice(), "k", Alice);
        var bobs = await CreateAsync(NewInvoice(), "k", Bob);

        Assert.Equal((201, 201), (alices.Status, bobs.Status));
        Assert.NotEqual(alices.Id, bobs.Id);
        Assert.False(bobs.Headers.ContainsKey("Idempotent-Replayed"));
        Assert.NotNull(await _store.GetAsync(Bob, bobs.Id, default));
    }

    [Fact]
    public async Task A_key_longer_than_255_characters_is_400()
    {
        var result = await CreateAsync(NewInvoice(), new string('k', 256));
        Assert.Equal((400, "validation_failed", "Idempotency-Key"), (result.Status, result.ErrorCode, Assert.Single(result.ErrorFields)));
    }

    [Fact]
    public async Task Paying_again_with_the_key_replays_the_202_with_Idempotent_Replayed_and_writes_nothing()
    {
        var id = (await _api.CreateAsync(NewInvoice())).Id;
        var first = await _api.PayAsync(id, idempotencyKey: "pay-1");
        var again = await _api.PayAsync(id, idempotencyKey: "pay-1");

        Assert.Equal((202, 202), (first.Status, again.Status));
        Assert.Equal(first.Body!.ToJsonString(), again.Body!.ToJsonString());
        Assert.Equal("true", again.Headers["Idempotent-Replayed"]);
        Assert.Equal(2, (await _store.GetAsync(Alice, id, default))!.Version);
    }

    [Fact]
    public async Task Paying_with_the_key_and_another_payment_method_is_422()
    {
        var id = (await _api.CreateAsync(NewInvoice())).Id;
        await _api.PayAsync(id, "pm_card_visa", idempotencyKey: "pay-2");
        var other = await _api.PayAsync(id, "pm_card_mastercard", idempotencyKey: "pay-2");

        Assert.Equal((422, "idempotency_key_reused"), (other.Status, other.ErrorCode));
        Assert.Equal("pm_card_visa", (await _store.GetAsync(Alice, id, default))!.Payment!.PaymentMethodId);
    }

    [Fact]
    public async Task A_pay_refused_with_409_is_not_remembered()
    {
        var id = (await _api.CreateAsync(NewInvoice(status: "draft"))).Id;
        var refused = await _api.PayAsync(id, idempotencyKey: "pay-3");
        await _api.UpdateAsync(id, WithVersion(NewInvoice(status: "open"), 1));
        var retried = await _api.PayAsync(id, idempotencyKey: "pay-3");

        Assert.Equal((409, 202), (refused.Status, retried.Status));
        Assert.False(retried.Headers.ContainsKey("Idempotent-Replayed"));
        Assert.Equal(InvoiceStatus.Processing, (await _store.GetAsync(Alice, id, default))!.Status);
    }

    [Fact]
    public async Task Billing_twice_with_one_key_is_one_fee()
    {
        var before = await local.CountItemsAsync(_invoices);
        var body = new JsonObject { ["txnType"] = "SubscriptionFee", ["txnQty"] = 2, ["paymentMethodId"] = "pm_card_visa" }.ToJsonString();
        var first = await SendWithKeyAsync("billing", Event("POST", "/billing", body: body), "fee-1");
        var again = await SendWithKeyAsync("billing", Event("POST", "/billing", body: body), "fee-1");

        Assert.Equal((202, 202), (first.Status, again.Status));
        Assert.Equal(first.Body!["billingId"]!.GetValue<string>(), again.Body!["billingId"]!.GetValue<string>());
        Assert.Equal("true", again.Headers["Idempotent-Replayed"]);
        Assert.Equal(before + 1, await local.CountItemsAsync(_invoices));
    }

    [Fact]
    public async Task Creates_with_one_key_racing_make_one_invoice_and_all_answer_it()
    {
        var before = await local.CountItemsAsync(_invoices);
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => CreateAsync(NewInvoice(), "create-race")));

        Assert.Equal(before + 1, await local.CountItemsAsync(_invoices));
        var answered = results.Where(r => r.Status == 201).Select(r => r.Id).Distinct().ToList();
        Assert.Single(answered);
        Assert.All(results, r => Assert.True(r.Status == 201 || r.ErrorCode == "idempotency_key_in_use", $"{r.Status} {r.ErrorCode}"));
    }

    private Task<ApiResult> CreateAsync(JsonObject invoice, string key, string userId = Alice) =>
        SendWithKeyAsync("createInvoice", Event("POST", "/invoices", userId, invoice.ToJsonString()), key);

    private Task<ApiResult> SendWithKeyAsync(string function, Contracts.APIGatewayEvents.APIGatewayProxyRequest request, string key)
    {
        request.Headers!["Idempotency-Key"] = key;
        return _api.SendAsync(function, request);
    }

    private static JsonObject WithVersion(JsonObject invoice, long version)
    {
        invoice["version"] = version;
        return invoice;
    }
}
