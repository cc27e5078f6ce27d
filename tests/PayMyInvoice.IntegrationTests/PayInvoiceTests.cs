using PayMyInvoice.Api;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Tests;
using static PayMyInvoice.Tests.ApiCalls;

namespace PayMyInvoice.IntegrationTests;

/// <summary>POST /invoices/{id}/pay and /void against DynamoDB Local: one conditional write, idempotent by key.</summary>
[Collection(LocalServicesCollection.Name)]
public sealed class PayInvoiceTests(LocalServicesFixture local) : IAsyncLifetime
{
    private ApiCalls _api = null!;
    private DynamoDbInvoiceStore _store = null!;

    public async Task InitializeAsync()
    {
        var deployment = await local.DeployFreshStageAsync();
        var environment = deployment.Config.Function("payInvoice").Environment;
        _store = new DynamoDbInvoiceStore(local.DynamoDb, environment[ApiFunctions.TableVariable], environment[ApiFunctions.IdempotencyTableVariable]);
        _api = new ApiCalls(ApiFunctions.Create(() => _store, TestPayLinks.Keys));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Paying_an_open_invoice_moves_it_to_processing_with_a_payment_id()
    {
        var id = (await _api.CreateAsync(NewInvoice())).Id;
        var paid = await _api.PayAsync(id, "pm_card_visa");

        Assert.Equal(202, paid.Status);
        Assert.Equal("processing", paid.Body!["status"]!.GetValue<string>());
        var paymentId = paid.Body["paymentId"]!.GetValue<string>();
        var invoice = (await _store.GetAsync(Alice, id, default))!;
        Assert.Equal((InvoiceStatus.Processing, 2L, paymentId, "pm_card_visa"), (invoice.Status, invoice.Version, invoice.Payment!.PaymentId, invoice.Payment.PaymentMethodId));
        Assert.Equal(paymentId, (await _api.GetAsync(id)).Body!["payment"]!["paymentId"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_Idempotency_Key_again_answers_the_same_and_writes_nothing()
    {
        var id = (await _api.CreateAsync(NewInvoice())).Id;
        var first = await _api.PayAsync(id, idempotencyKey: "order-17-attempt-1");
        var again = await _api.PayAsync(id, idempotencyKey: "order-17-attempt-1");

        Assert.Equal((202, 202), (first.Status, again.Status));
        Assert.Equal(first.Body!["paymentId"]!.GetValue<string>(), again.Body!["paymentId"]!.GetValue<string>());
        Assert.Equal(2, (await _store.GetAsync(Alice, id, default))!.Version);
    }

    [Fact]
    public async Task Another_pay_while_one_is_in_flight_is_409()
    {
        var id = (await _api.CreateAsync(NewInvoice())).Id;
        await _api.PayAsync(id, idempotencyKey: "a");
        var second = await _api.PayAsync(id, idempotencyKey: "b");
        Assert.Equal((409, "payment_in_progress"), (second.Status, second.ErrorCode));
    }

    [Fact]
    public async Task Pay_requests_racing_let_exactly_one_through()
    {
        var id = (await _api.CreateAsync(NewInvoice())).Id;
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => _api.PayAsync(id, idempotencyKey: $"racer-{i}")));

        Assert.Single(results, r => r.Status == 202);
        Assert.All(results.Where(r => r.Status != 202), r => Assert.Equal(409, r.Status));
        var winner = results.Single(r => r.Status == 202).Body!["paymentId"]!.GetValue<string>();
        Assert.Equal(winner, (await _store.GetAsync(Alice, id, default))!.Payment!.PaymentId);
    }

    [Fact]
    public async Task The_same_key_racing_with_itself_answers_the_same_payment_to_all()
    {
        var id = (await _api.CreateAsync(NewInvoice())).Id;
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _api.PayAsync(id, idempotencyKey: "double-click")));
        Assert.All(results, r => Assert.Equal(202, r.Status));
        Assert.Single(results.Select(r => r.Body!["paymentId"]!.GetValue<string>()).Distinct());
    }

    [Theory]
    [InlineData("draft", "invalid_transition")]
    [InlineData("void", "invalid_transition")]
    public async Task Only_open_or_failed_invoices_can_be_paid(string status, string code)
    {
        var id = (await _api.CreateAsync(NewInvoice(status: "draft"))).Id;
        if (status == "void")
        {
            await _api.VoidAsync(id);
        }

        var result = await _api.PayAsync(id);
        Assert.Equal((409, code), (result.Status, result.ErrorCode));
    }

    [Theory]
    [InlineData("""{}""", "paymentMethodId")]
    [InlineData("""{"paymentMethodId":"card_123"}""", "paymentMethodId")]
    [InlineData("""{"paymentMethodId":"pm_card_visa","amount":1}""", "amount")]
    public async Task A_bad_pay_request_is_400_and_changes_nothing(string body, string field)
    {
        var id = (await _api.CreateAsync(NewInvoice())).Id;
        var result = await _api.SendAsync("payInvoice", Event("POST", $"/invoices/{id}/pay", Alice, body, id));
        Assert.Equal(400, result.Status);
        Assert.Contains(field, result.ErrorFields);
        Assert.Equal(InvoiceStatus.Open, (await _store.GetAsync(Alice, id, default))!.Status);
    }

    [Fact]
    public async Task Another_users_invoice_cannot_be_paid_or_voided()
    {
        var id = (await _api.CreateAsync(NewInvoice())).Id;
        Assert.Equal(404, (await _api.PayAsync(id, userId: Bob)).Status);
        Assert.Equal(404, (await _api.VoidAsync(id, userId: Bob)).Status);
        Assert.Equal(InvoiceStatus.Open, (await _store.GetAsync(Alice, id, default))!.Status);
    }

    [Fact]
    public async Task An_open_invoice_can_be_voided_a_processing_one_cannot()
    {
        var open = (await _api.CreateAsync(NewInvoice())).Id;
        var voided = await _api.VoidAsync(open);
        Assert.Equal((200, "void"), (voided.Status, voided.Body!["status"]!.GetValue<string>()));

        var paying = (await _api.CreateAsync(NewInvoice())).Id;
        await _api.PayAsync(paying);
        Assert.Equal((409, "invalid_transition"), ((await _api.VoidAsync(paying)).Status, (await _api.VoidAsync(paying)).ErrorCode));
    }
}
