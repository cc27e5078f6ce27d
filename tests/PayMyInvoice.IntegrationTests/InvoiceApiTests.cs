using System.Text.Json.Nodes;
using PayMyInvoice.Api;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Tests;
using static PayMyInvoice.Tests.ApiCalls;

namespace PayMyInvoice.IntegrationTests;

/// <summary>The invoice HTTP functions end to end: API Gateway events in, DynamoDB Local over the wire underneath.</summary>
[Collection(LocalServicesCollection.Name)]
public sealed class InvoiceApiTests(LocalServicesFixture local) : IAsyncLifetime
{
    private string _table = "";
    private ApiCalls _api = null!;
    private int _seeded;

    public async Task InitializeAsync()
    {
        var deployment = await local.DeployFreshStageAsync();
        _table = deployment.Config.Function("createInvoice").Environment[ApiFunctions.TableVariable];
        var requests = deployment.Config.Function("createInvoice").Environment[ApiFunctions.IdempotencyTableVariable];
        _api = new ApiCalls(ApiFunctions.Create(() => new DynamoDbInvoiceStore(local.DynamoDb, _table, requests), TestPayLinks.Keys));
        _seeded = await local.CountItemsAsync(_table); // the mocks' sample invoice, another user's
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_invoice_goes_through_create_get_list_update_and_delete()
    {
        var lines = new JsonArray(
            new JsonObject { ["description"] = "Design", ["quantity"] = 2, ["unitAmount"] = 500 },
            new JsonObject { ["description"] = "Build", ["quantity"] = 1, ["unitAmount"] = 500 });
        var draft = NewInvoice(status: "draft");
        draft["lineItems"] = lines;
        draft["attachment"] = $"private/{Alice}/invoice-17.pdf";

        var created = await _api.CreateAsync(draft);
        Assert.Equal(201, created.Status);
        Assert.Equal($"/invoices/{created.Id}", created.Headers["Location"]);
        Assert.Equal("draft", created.Body!["status"]!.GetValue<string>());
        Assert.Equal(Alice, created.Body["userId"]!.GetValue<string>());

        var read = await _api.GetAsync(created.Id);
        Assert.Equal(200, read.Status);
        Assert.True(JsonNode.DeepEquals(created.Body, read.Body), $"read back {read.Body}");

        var listed = await _api.ListAsync();
        Assert.Equal(created.Id, Assert.Single(listed.Body!["items"]!.AsArray())!["invoiceId"]!.GetValue<string>());
        Assert.Null(listed.Body["nextCursor"]);

        var edit = NewInvoice(amount: 2500);
        edit["version"] = 1;
        var updated = await _api.UpdateAsync(created.Id, edit);
        Assert.Equal(200, updated.Status);
        Assert.Equal(2, updated.Version);
        Assert.Equal("open", updated.Body!["status"]!.GetValue<string>());
        Assert.Equal(2500, (await _api.GetAsync(created.Id)).Body!["amount"]!.GetValue<long>());

        Assert.Equal(204, (await _api.DeleteAsync(created.Id)).Status);
        Assert.Equal(404, (await _api.GetAsync(created.Id)).Status);
        Assert.Equal(_seeded, await local.CountItemsAsync(_table));
    }

    [Fact]
    public async Task Paging_through_250_invoices_returns_each_exactly_once()
    {
        var created = new List<string>();
        await Parallel.ForEachAsync(Enumerable.Range(1, 250), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var result = await _api.CreateAsync(NewInvoice(amount: 100 + i));
            Assert.Equal(201, result.Status);
            lock (created)
            {
                created.Add(result.Id);
            }
        });

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var query = new Dictionary<string, string> { ["limit"] = "30" };
            if (cursor is not null)
            {
                query["cursor"] = cursor;
            }

            var page = await _api.ListAsync(query);
            Assert.Equal(200, page.Status);
            var items = page.Body!["items"]!.AsArray();
            Assert.InRange(items.Count, 1, 30);
            seen.AddRange(items.Select(i => i!["invoiceId"]!.GetValue<string>()));
            cursor = page.Body["nextCursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(9, pages);
        Assert.Equal(created.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task Filtering_by_status_pages_over_the_matching_invoices_only()
    {
        for (var i = 0; i < 12; i++)
        {
            await _api.CreateAsync(NewInvoice(status: i % 3 == 0 ? "draft" : "open"));
        }

        var drafts = new List<string>();
        string? cursor = null;
        do
        {
            var query = new Dictionary<string, string> { ["limit"] = "3", ["status"] = "draft" };
            if (cursor is not null)
            {
                query["cursor"] = cursor;
            }

            var page = await _api.ListAsync(query);
            drafts.AddRange(page.Body!["items"]!.AsArray().Select(i => i!["status"]!.GetValue<string>()));
            cursor = page.Body["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        Assert.Equal(4, drafts.Count);
        Assert.All(drafts, s => Assert.Equal("draft", s));
    }

    [Fact]
    public async Task An_update_with_a_stale_version_is_409_and_changes_nothing()
    {
        var created = await _api.CreateAsync(NewInvoice());
        var first = NewInvoice(amount: 2000);
        first["version"] = 1;
        Assert.Equal(200, (await _api.UpdateAsync(created.Id, first)).Status);

        var stale = NewInvoice(amount: 3000);
        stale["version"] = 1;
        var conflict = await _api.UpdateAsync(created.Id, stale);
        Assert.Equal(409, conflict.Status);
        Assert.Equal("version_conflict", conflict.ErrorCode);
        var current = await _api.GetAsync(created.Id);
        Assert.Equal(2000, current.Body!["amount"]!.GetValue<long>());
        Assert.Equal(2, current.Version);
    }

    [Fact]
    public async Task Two_updates_racing_on_one_version_let_exactly_one_win()
    {
        var created = await _api.CreateAsync(NewInvoice());
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
        {
            var edit = NewInvoice(amount: 100 + i);
            edit["version"] = 1;
            return _api.UpdateAsync(created.Id, edit);
        }));
        Assert.Single(results, r => r.Status == 200);
        Assert.All(results.Where(r => r.Status != 200), r => Assert.Equal(409, r.Status));
        Assert.Equal(2, (await _api.GetAsync(created.Id)).Version);
    }

    [Fact]
    public async Task Another_users_invoice_is_invisible_to_read_update_and_delete()
    {
        var alices = await _api.CreateAsync(NewInvoice());
        var edit = NewInvoice(amount: 100);
        edit["version"] = 1;

        var read = await _api.GetAsync(alices.Id, userId: Bob);
        var update = await _api.UpdateAsync(alices.Id, edit, userId: Bob);
        var delete = await _api.DeleteAsync(alices.Id, userId: Bob);
        var list = await _api.ListAsync(userId: Bob);

        Assert.All([read, update, delete], r => Assert.Equal((404, "not_found"), (r.Status, r.ErrorCode)));
        Assert.Empty(list.Body!["items"]!.AsArray());
        var unchanged = await _api.GetAsync(alices.Id);
        Assert.Equal(1, unchanged.Version);
        Assert.Equal(1500, unchanged.Body!["amount"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_paid_invoice_cannot_be_edited_or_deleted()
    {
        var created = await _api.CreateAsync(NewInvoice());
        var store = new DynamoDbInvoiceStore(local.DynamoDb, _table);
        var invoice = (await store.GetAsync(Alice, created.Id, default))!;
        Assert.True(await store.TryReplaceAsync(invoice with { Status = InvoiceStatus.Paid, Version = 2 }, 1, default));

        var edit = NewInvoice(amount: 100);
        edit["version"] = 2;
        var update = await _api.UpdateAsync(created.Id, edit);
        var delete = await _api.DeleteAsync(created.Id);
        Assert.Equal((409, "invoice_not_editable"), (update.Status, update.ErrorCode));
        Assert.Equal((409, "invoice_not_deletable"), (delete.Status, delete.ErrorCode));
        Assert.Equal("paid", (await _api.GetAsync(created.Id)).Body!["status"]!.GetValue<string>());
    }

    public static TheoryData<string, string?, int, string, string?> BadCreates => new()
    {
        { """{"payerEmail":"payer@example.com","description":"x","amount":0,"currency":"USD","dueDate":"2026-12-31"}""", "application/json", 400, "validation_failed", "amount" },
        { """{"payerEmail":"payer@example.com","description":"x","amount":100000000,"currency":"USD","dueDate":"2026-12-31"}""", "application/json", 400, "validation_failed", "amount" },
        { """{"payerEmail":"payer@example.com","description":"x","amount":10.5,"currency":"USD","dueDate":"2026-12-31"}""", "application/json", 400, "validation_failed", "amount" },
        { """{"payerEmail":"payer@example.com","description":"x","amount":"100","currency":"USD","dueDate":"2026-12-31"}""", "application/json", 400, "validation_failed", "amount" },
        { """{"payerEmail":"payer@example.com","description":"x","amount":100,"currency":"usdollar","dueDate":"2026-12-31"}""", "application/json", 400, "validation_failed", "currency" },
        { """{"payerEmail":"payer@example.com","description":"x","amount":100,"currency":"USD","dueDate":"tomorrow"}""", "application/json", 400, "validation_failed", "dueDate" },
        { """{"payerEmail":"nobody","description":"x","amount":100,"currency":"USD","dueDate":"2026-12-31"}""", "application/json", 400, "validation_failed", "payerEmail" },
        { """{"payerEmail":"payer@example.com","description":"x","ammount":100,"currency":"USD","dueDate":"2026-12-31"}""", "application/json", 400, "validation_failed", "ammount" },
        { """{"payerEmail":"payer@example.com","description":"x","amount":100,"currency":"USD","dueDate":"2026-12-31","lineItems":[{"description":"a","quantity":"1","unitAmount":100}]}""", "application/json", 400, "validation_failed", "lineItems[0].quantity" },
        { """{"payerEmail":"payer@example.com","description":"x","amount":100,"currency":"USD","dueDate":"2026-12-31","status":"paid"}""", "application/json", 400, "validation_failed", "status" },
        { """{"payerEmail":"payer@example.com",""", "application/json", 400, "malformed_json", null },
        { "[1,2,3]", "application/json", 400, "malformed_json", null },
        { "", "application/json", 400, "malformed_json", null },
        { """{"payerEmail":"payer@example.com","description":"x","amount":100,"currency":"USD","dueDate":"2026-12-31"}""", "text/plain", 415, "unsupported_media_type", null },
        { """{"payerEmail":"payer@example.com","description":"x","amount":100,"currency":"USD","dueDate":"2026-12-31"}""", null, 415, "unsupported_media_type", null },
        { "{\"description\":\"" + new string('x', 65 * 1024) + "\"}", "application/json", 413, "payload_too_large", null },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task Bad_input_is_answered_with_a_clear_4xx_and_nothing_is_written(string body, string? contentType, int status, string code, string? field)
    {
        var result = await _api.SendAsync("createInvoice", Event("POST", "/invoices", Alice, body, contentType: contentType));
        Assert.Equal(status, result.Status);
        Assert.Equal(code, result.ErrorCode);
        Assert.False(string.IsNullOrEmpty(result.Body!["error"]!["message"]!.GetValue<string>()));
        if (field is not null)
        {
            Assert.Contains(field, result.ErrorFields);
        }

        Assert.Equal(_seeded, await local.CountItemsAsync(_table));
    }

    [Fact]
    public async Task A_request_without_a_caller_identity_is_401_and_writes_nothing()
    {
        var result = await _api.CreateAsync(NewInvoice(), userId: null);
        Assert.Equal((401, "unauthorized"), (result.Status, result.ErrorCode));
        Assert.Equal(_seeded, await local.CountItemsAsync(_table));
    }

    [Fact]
    public async Task A_bad_update_leaves_the_invoice_as_it_was()
    {
        var created = await _api.CreateAsync(NewInvoice());
        var bad = NewInvoice(amount: -1);
        bad["version"] = 1;
        var result = await _api.UpdateAsync(created.Id, bad);
        Assert.Equal(400, result.Status);
        Assert.Contains("amount", result.ErrorFields);
        Assert.Equal(1, (await _api.GetAsync(created.Id)).Version);
    }

    [Fact]
    public async Task Every_response_carries_CORS_headers_errors_included()
    {
        var ok = await _api.CreateAsync(NewInvoice());
        var notFound = await _api.GetAsync(InvoiceIds.New());
        var unauthorized = await _api.ListAsync(userId: null);
        var invalid = await _api.ListAsync(new() { ["limit"] = "1000" });
        var deleted = await _api.DeleteAsync(ok.Id);
        Assert.All([ok, notFound, unauthorized, invalid, deleted], r => Assert.Equal("*", r.Headers["Access-Control-Allow-Origin"]));
        Assert.Equal([201, 404, 401, 400, 204], new[] { ok, notFound, unauthorized, invalid, deleted }.Select(r => r.Status));
    }

    [Fact]
    public async Task A_base64_encoded_body_is_read_like_a_plain_one()
    {
        var request = Event("POST", "/invoices", Alice, Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(NewInvoice().ToJsonString())));
        request.IsBase64Encoded = true;
        Assert.Equal(201, (await _api.SendAsync("createInvoice", request)).Status);
    }
}
