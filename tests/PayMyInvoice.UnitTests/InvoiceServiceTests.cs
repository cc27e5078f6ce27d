using Microsoft.Extensions.Time.Testing;
using PayMyInvoice.Tests;
using PayMyInvoice.Core;
using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.UnitTests;

public sealed class InvoiceServiceTests
{
    private const string Alice = "alice";
    private readonly InMemoryInvoiceStore _store = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly InvoiceService _service;

    public InvoiceServiceTests() => _service = new InvoiceService(_store, _time, TestPayLinks.Keys);

    [Fact]
    public async Task A_new_invoice_is_a_draft_at_version_1_unless_issued_at_once()
    {
        var draft = (await _service.CreateAsync(Alice, InvoiceValidatorTests.Valid(), default)).Value!;
        Assert.Equal(InvoiceStatus.Draft, draft.Status);
        Assert.Equal(1, draft.Version);
        Assert.Equal(_time.GetUtcNow(), draft.CreatedAt);
        var open = (await _service.CreateAsync(Alice, InvoiceValidatorTests.Valid() with { Status = "open" }, default)).Value!;
        Assert.Equal(InvoiceStatus.Open, open.Status);
    }

    [Fact]
    public async Task Invalid_input_writes_nothing()
    {
        var result = await _service.CreateAsync(Alice, InvoiceValidatorTests.Valid() with { Amount = 0 }, default);
        Assert.Equal(FailureKind.Invalid, result.Failure!.Kind);
        Assert.Equal(0, _store.Writes);
    }

    [Fact]
    public async Task An_update_bumps_the_version_and_the_update_time()
    {
        var created = await CreateAsync();
        _time.Advance(TimeSpan.FromMinutes(5));
        var updated = (await _service.UpdateAsync(Alice, created.InvoiceId, Edit(created.Version) with { Amount = 2500 }, default)).Value!;
        Assert.Equal(2, updated.Version);
        Assert.Equal(2500, updated.Details.Amount);
        Assert.Equal(created.CreatedAt, updated.CreatedAt);
        Assert.Equal(_time.GetUtcNow(), updated.UpdatedAt);
    }

    [Fact]
    public async Task Updating_with_a_stale_version_is_a_conflict_and_changes_nothing()
    {
        var created = await CreateAsync();
        await _service.UpdateAsync(Alice, created.InvoiceId, Edit(1), default);
        var stale = await _service.UpdateAsync(Alice, created.InvoiceId, Edit(1) with { Amount = 900 }, default);
        Assert.Equal("version_conflict", stale.Failure!.Code);
        Assert.Equal(1500, (await _service.GetAsync(Alice, created.InvoiceId, default)).Value!.Details.Amount);
    }

    [Fact]
    public async Task An_update_without_a_version_is_invalid() =>
        Assert.Contains((await _service.UpdateAsync(Alice, (await CreateAsync()).InvoiceId, Edit(null), default)).Failure!.Details!, d => d.Field == "version");

    [Fact]
    public async Task A_draft_can_be_issued_but_an_open_invoice_cannot_go_back_to_draft()
    {
        var created = await CreateAsync();
        var issued = (await _service.UpdateAsync(Alice, created.InvoiceId, Edit(1) with { Status = "open" }, default)).Value!;
        Assert.Equal(InvoiceStatus.Open, issued.Status);
        var back = await _service.UpdateAsync(Alice, created.InvoiceId, Edit(2) with { Status = "draft" }, default);
        Assert.Equal("invalid_transition", back.Failure!.Code);
    }

    [Theory]
    [InlineData(InvoiceStatus.Paid)]
    [InlineData(InvoiceStatus.Processing)]
    [InlineData(InvoiceStatus.Void)]
    public async Task An_invoice_a_payment_has_touched_cannot_be_edited(InvoiceStatus status)
    {
        var invoice = await CreateAsync();
        _store.Put(invoice with { Status = status, Version = 3 });
        var result = await _service.UpdateAsync(Alice, invoice.InvoiceId, Edit(3), default);
        Assert.Equal("invoice_not_editable", result.Failure!.Code);
    }

    [Fact]
    public async Task A_paid_invoice_cannot_be_deleted_but_a_void_one_can()
    {
        var paid = await CreateAsync();
        _store.Put(paid with { Status = InvoiceStatus.Paid });
        Assert.Equal("invoice_not_deletable", (await _service.DeleteAsync(Alice, paid.InvoiceId, default)).Failure!.Code);
        var voided = await CreateAsync();
        _store.Put(voided with { Status = InvoiceStatus.Void });
        Assert.True((await _service.DeleteAsync(Alice, voided.InvoiceId, default)).IsSuccess);
        Assert.Equal(FailureKind.NotFound, (await _service.GetAsync(Alice, voided.InvoiceId, default)).Failure!.Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("inv_123")]
    [InlineData("../../etc")]
    public async Task A_malformed_id_is_simply_not_found(string? id) =>
        Assert.Equal(FailureKind.NotFound, (await _service.GetAsync(Alice, id, default)).Failure!.Kind);

    [Theory]
    [InlineData("0", null, null, "limit")]
    [InlineData("101", null, null, "limit")]
    [InlineData("ten", null, null, "limit")]
    [InlineData(null, "garbage", null, "cursor")]
    [InlineData(null, null, "unpaid", "status")]
    public async Task Bad_list_parameters_are_named(string? limit, string? cursor, string? status, string field) =>
        Assert.Contains((await _service.ListAsync(Alice, limit, cursor, status, default)).Failure!.Details!, d => d.Field == field);

    private async Task<Invoice> CreateAsync() => (await _service.CreateAsync(Alice, InvoiceValidatorTests.Valid(), default)).Value!;

    private static InvoiceInput Edit(long? version) => InvoiceValidatorTests.Valid() with { Version = version };
}
