using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PayMyInvoice.Billing;
using PayMyInvoice.Contracts.Events;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Idempotency;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.Notifications;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.UnitTests;

/// <summary>Claims that last as long as the invocation, and Stripe's refusals of our own requests made visible.</summary>
public sealed class BillingServiceTests
{
    private const string Alice = "alice";
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Deadline = Now.AddSeconds(30);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly InMemoryInvoiceStore _store = new();
    private readonly RecordingIdempotencyStore _claims = new();

    [Fact]
    public async Task The_billing_claim_expires_at_the_invocations_deadline_and_the_charge_is_given_it()
    {
        var gateway = new FakeGateway(new ChargeResult(ChargeStatus.Succeeded, "pi_1"));
        await Billing(gateway).ChargeAsync(Alice, "inv_1", Processing("inv_1", "pay_1"), Deadline, default);

        Assert.Equal([("billing#pay_1", Deadline)], _claims.Claims);
        Assert.Equal(Deadline, gateway.Deadline);
    }

    [Fact]
    public async Task The_payment_event_and_email_claims_expire_at_the_invocations_deadline_too()
    {
        await new PaymentEventService(_claims, new PaymentOutcomes(_store, _time))
            .ApplyAsync("evt_1", Alice, "inv_1", "pay_1", new ChargeResult(ChargeStatus.Succeeded, "pi_1"), Deadline, default);
        await new NotificationService(new NullMailer(), _claims)
            .SendOnceAsync("evt_2", [new EmailMessage("payer@example.com", "Receipt", "text", "<p>html</p>", "id@example")], Deadline, default);

        Assert.Equal([("payment-event#evt_1", Deadline), ("email#evt_2#payer@example.com", Deadline)], _claims.Claims);
    }

    [Fact]
    public async Task Stripe_refusing_our_request_fails_the_payment_with_processing_error_and_logs_one_error_line_the_alarm_matches()
    {
        var refusal = new ProviderError("authentication_error", 401, null, null, "req_123", "Invalid API Key provided: [redacted key]");
        var gateway = new FakeGateway(ChargeResult.FailedByProvider(null, refusal));
        var paymentId = Processing("inv_1", "pay_1");
        var logs = new StringWriter();
        var context = new ClockContext(_time, Deadline, new JsonLogger(new FunctionEnvironment(), logs, _time));

        var response = await new BillingWorkerFunction(Billing(gateway)).HandleAsync(PaymentRequested("inv_1", paymentId), context, default);

        Assert.Empty(response.BatchItemFailures);
        var invoice = (await _store.GetAsync(Alice, "inv_1", default))!;
        Assert.Equal((InvoiceStatus.PaymentFailed, "processing_error"), (invoice.Status, invoice.Payment!.FailureCode));
        Assert.Equal(PaymentFailureMessages.For("processing_error"), invoice.Payment.FailureMessage);
        var line = Assert.Single(logs.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!), l => l["level"]!.GetValue<string>() == "Error");
        Assert.Equal(StripeRefusals.ErrorClass, line["error_class"]!.GetValue<string>());
        Assert.StartsWith("Stripe refused the request itself", line["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(("pay_1", "authentication_error", "401", "req_123"), (line["payment_id"]!.GetValue<string>(), line["stripe_error_type"]!.GetValue<string>(), line["stripe_http_status"]!.GetValue<string>(), line["stripe_request_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_decline_is_logged_as_nothing_worse_than_information()
    {
        var gateway = new FakeGateway(ChargeResult.Declined("pi_1", "insufficient_funds"));
        var logs = new StringWriter();
        var context = new ClockContext(_time, Deadline, new JsonLogger(new FunctionEnvironment(), logs, _time));

        await new BillingWorkerFunction(Billing(gateway)).HandleAsync(PaymentRequested("inv_1", Processing("inv_1", "pay_1")), context, default);

        Assert.Equal(InvoiceStatus.PaymentFailed, (await _store.GetAsync(Alice, "inv_1", default))!.Status);
        Assert.DoesNotContain("\"Error\"", logs.ToString(), StringComparison.Ordinal);
    }

    private BillingService Billing(IPaymentGateway gateway) => new(_store, gateway, _claims, new PaymentOutcomes(_store, _time));

    private string Processing(string invoiceId, string paymentId)
    {
        _store.Put(new Invoice
        {
            InvoiceId = invoiceId,
            UserId = Alice,
            Details = new InvoiceDetails("payer@example.com", "Consulting", 1500, "USD", new DateOnly(2026, 12, 31), [], null),
            Status = InvoiceStatus.Processing,
            Version = 2,
            CreatedAt = Now,
            UpdatedAt = Now,
            Payment = new PaymentAttempt(paymentId, "pm_card_visa"),
        });
        return paymentId;
    }

    private static SQSEvent PaymentRequested(string invoiceId, string paymentId)
    {
        var body = new JsonObject
        {
            ["eventId"] = $"evt:{invoiceId}:PaymentRequested",
            ["eventVersion"] = InvoiceEvent.CurrentVersion,
            ["eventType"] = "PaymentRequested",
            ["occurredAt"] = Now.ToString("O"),
            ["invoice"] = new JsonObject
            {
                ["invoiceId"] = invoiceId,
                ["userId"] = Alice,
                ["payerEmail"] = "payer@example.com",
                ["description"] = "Consulting",
                ["amount"] = 1500,
                ["currency"] = "USD",
                ["dueDate"] = "2026-12-31",
                ["status"] = "processing",
                ["version"] = 2,
                ["payment"] = new JsonObject { ["paymentId"] = paymentId, ["paymentMethodId"] = "pm_card_visa" },
            },
        };
        return new SQSEvent { Records = [new SQSEvent.SQSMessage { MessageId = "m1", Body = body.ToJsonString(JsonSerializerOptions.Default) }] };
    }

    private sealed class FakeGateway(ChargeResult result) : IPaymentGateway
    {
        public DateTimeOffset? Deadline { get; private set; }

        public Task<ChargeResult> ChargeAsync(ChargeRequest request, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            Deadline = deadline;
            return Task.FromResult(result);
        }

        public Task<CancelResult> CancelAsync(string paymentIntentId, DateTimeOffset deadline, CancellationToken cancellationToken) =>
            Task.FromResult(new CancelResult(CancelStatus.Canceled, paymentIntentId));

        public Task<RefundResult> RefundAsync(string paymentIntentId, DateTimeOffset deadline, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not expected");
    }

    private sealed class NullMailer : IMailer
    {
        public Task SendAsync(EmailMessage message, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Grants every claim and remembers until when.</summary>
internal sealed class RecordingIdempotencyStore : IIdempotencyStore
{
    public List<(string Key, DateTimeOffset Until)> Claims { get; } = [];

    public Task<IdempotencyClaim> ClaimAsync(string key, string payloadHash, DateTimeOffset inProgressUntil, CancellationToken cancellationToken)
    {
        Claims.Add((key, inProgressUntil));
        return Task.FromResult(IdempotencyClaim.Claimed);
    }

    public Task CompleteAsync(string key, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReleaseAsync(string key, CancellationToken cancellationToken) => Task.CompletedTask;
}
