using PayMyInvoice.Api;
using PayMyInvoice.Tests;
using static PayMyInvoice.Tests.ApiCalls;

namespace PayMyInvoice.UnitTests;

/// <summary>Idempotency-Key's rules over the in-memory store (the transaction itself is proven against DynamoDB Local).</summary>
public sealed class IdempotentRequestsTests
{
    private readonly InMemoryInvoiceStore _store = new();
    private readonly ApiCalls _api;

    public IdempotentRequestsTests() => _api = new ApiCalls(ApiFunctions.Create(() => _store, TestPayLinks.Keys));

    [Fact]
    public async Task Without_a_key_a_retried_create_is_a_second_invoice_and_nothing_is_remembered()
    {
        var first = await _api.CreateAsync(NewInvoice());
        var second = await _api.CreateAsync(NewInvoice());
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(0, _store.RememberedRequests);
    }

    [Fact]
    public async Task A_refused_pay_remembers_nothing_and_a_successful_one_remembers_its_answer_with_its_write()
    {
        var id = (await _api.CreateAsync(NewInvoice(status: "draft"))).Id;
        var refused = await _api.PayAsync(id, idempotencyKey: "k");
        Assert.Equal((409, 0), (refused.Status, _store.RememberedRequests));

        var open = (await _api.CreateAsync(NewInvoice())).Id;
        var writes = _store.Writes;
        var paid = await _api.PayAsync(open, idempotencyKey: "k");
        var replayed = await _api.PayAsync(open, idempotencyKey: "k");

        Assert.Equal((202, 202, 1, writes + 1), (paid.Status, replayed.Status, _store.RememberedRequests, _store.Writes));
        Assert.Equal(paid.Body!.ToJsonString(), replayed.Body!.ToJsonString());
        Assert.Equal("true", replayed.Headers["Idempotent-Replayed"]);
    }

    [Fact]
    public async Task The_same_key_on_another_invoice_is_422_idempotency_key_reused()
    {
        var first = (await _api.CreateAsync(NewInvoice())).Id;
        var second = (await _api.CreateAsync(NewInvoice())).Id;
        await _api.PayAsync(first, idempotencyKey: "k");

        var reused = await _api.PayAsync(second, idempotencyKey: "k");

        Assert.Equal((422, "idempotency_key_reused"), (reused.Status, reused.ErrorCode));
        Assert.Equal("open", (await _api.GetAsync(second)).Body!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_replay_header_can_be_read_by_the_frontend()
    {
        var created = await _api.CreateAsync(NewInvoice());
        Assert.Contains("Idempotent-Replayed", created.Headers["Access-Control-Expose-Headers"], StringComparison.Ordinal);
    }
}
