using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PayMyInvoice.Tests;
using PayMyInvoice.Api.Invoices;
using PayMyInvoice.Billing;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.Events;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.Sns;
using PayMyInvoice.Lambda;
using PayMyInvoice.Workers.Notifications;

namespace PayMyInvoice.UnitTests;

/// <summary>
/// 3-D Secure on the API path: what a requires_action invoice carries (and only then), leaving requires_action or
/// payment_failed by paying again or voiding, and the billing worker cancelling the old PaymentIntent (or finding that
/// the payer completed it first).
/// </summary>
public sealed class ThreeDSecureTests
{
    private const string Alice = "alice";
    private const string InvoiceId = "inv_019a2f3c4d5e7f808a9b0c1d2e3f4a5e";
    private const string Secret = "pi_old_secret_abc123";
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Deadline = Now.AddSeconds(30);
    private static readonly PaymentNextAction UseStripeSdk = new("use_stripe_sdk");
    private readonly FakeTimeProvider _time = new(Now);
    private readonly InMemoryInvoiceStore _store = new();
    private readonly RecordingIdempotencyStore _claims = new();

    [Fact]
    public async Task Requires_action_records_the_client_secret_and_next_action_and_leaving_it_clears_them()
    {
        Put(InvoiceStatus.Processing, new PaymentAttempt("pay_1", "pm_card_authenticationRequired"));
        var outcomes = new PaymentOutcomes(_store, _time);

        await outcomes.RecordAsync(Alice, InvoiceId, "pay_1", RequiresAction("pi_old"), default);
        var waiting = await GetAsync();
        Assert.Equal((InvoiceStatus.RequiresAction, "pi_old", Secret, UseStripeSdk), (waiting.Status, waiting.Payment!.PaymentIntentId, waiting.Payment.ClientSecret, waiting.Payment.NextAction));

        await outcomes.RecordAsync(Alice, InvoiceId, "pay_1", new ChargeResult(ChargeStatus.Succeeded, "pi_old"), default);
        var paid = await GetAsync();
        Assert.Equal((InvoiceStatus.Paid, "pi_old", null, null), (paid.Status, paid.Payment!.PaymentIntentId, paid.Payment.ClientSecret, paid.Payment.NextAction));
    }

    [Fact]
    public async Task A_requires_action_webhook_without_the_secret_recorded_first_is_completed_by_the_billing_workers_answer()
    {
        Put(InvoiceStatus.Processing, new PaymentAttempt("pay_1", "pm_card_authenticationRequired"));
        var outcomes = new PaymentOutcomes(_store, _time);

        await outcomes.RecordAsync(Alice, InvoiceId, "pay_1", new ChargeResult(ChargeStatus.RequiresAction, "pi_old"), default);
        Assert.True(await outcomes.RecordAsync(Alice, InvoiceId, "pay_1", RequiresAction("pi_old"), default));
        Assert.False(await outcomes.RecordAsync(Alice, InvoiceId, "pay_1", RequiresAction("pi_old"), default)); // nothing new: no write

        var invoice = await GetAsync();
        Assert.Equal((InvoiceStatus.RequiresAction, Secret, UseStripeSdk), (invoice.Status, invoice.Payment!.ClientSecret, invoice.Payment.NextAction));
    }

    [Fact]
    public void The_client_secret_and_next_action_reach_clients_only_while_the_invoice_requires_action()
    {
        var payment = new PaymentAttempt("pay_1", "pm_card_authenticationRequired", "pi_old")
        {
            ClientSecret = Secret,
            NextAction = new PaymentNextAction(PaymentNextAction.RedirectToUrl, "https://hooks.stripe.com/3d_secure/x", "https://app.example/back"),
        };
        var json = JsonNode.Parse(JsonSerializer.Serialize(Invoice(InvoiceStatus.RequiresAction, payment).ToResponse(TestPayLinks.Keys), ContractsJsonContext.Wire.InvoiceResponse))!;
        Assert.Equal(Secret, json["payment"]!["clientSecret"]!.GetValue<string>());
        Assert.Equal(
            """{"type":"redirect_to_url","redirectToUrl":{"url":"https://hooks.stripe.com/3d_secure/x","returnUrl":"https://app.example/back"}}""",
            json["payment"]!["nextAction"]!.ToJsonString());

        foreach (var status in Enum.GetValues<InvoiceStatus>().Where(s => s != InvoiceStatus.RequiresAction))
        {
            var other = JsonSerializer.Serialize(Invoice(status, payment).ToResponse(TestPayLinks.Keys), ContractsJsonContext.Wire.InvoiceResponse);
            Assert.DoesNotContain(Secret, other, StringComparison.Ordinal);
            Assert.DoesNotContain("nextAction", other, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Invoice_events_never_carry_the_client_secret()
    {
        var payment = new PaymentAttempt("pay_1", "pm_card_authenticationRequired", "pi_old") { ClientSecret = Secret, NextAction = UseStripeSdk };
        var change = new InvoiceChange("rec-1:PaymentActionRequired", InvoiceEventType.PaymentActionRequired, Now, Invoice(InvoiceStatus.RequiresAction, payment));
        var json = JsonSerializer.Serialize(SnsInvoiceEventPublisher.ToEvent(change), ContractsJsonContext.Wire.InvoiceEvent);
        Assert.DoesNotContain(Secret, json, StringComparison.Ordinal);
        Assert.Contains("pi_old", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(InvoiceStatus.RequiresAction)]
    [InlineData(InvoiceStatus.PaymentFailed)]
    public async Task Paying_again_from_requires_action_or_payment_failed_names_the_intent_to_cancel(InvoiceStatus from)
    {
        Put(from, new PaymentAttempt("pay_1", "pm_card_authenticationRequired", "pi_old") { ClientSecret = Secret, NextAction = UseStripeSdk });

        var result = await new PaymentService(_store, _time).PayAsync(Alice, InvoiceId, "pm_card_visa", "second-try", default);

        var invoice = result.Value!;
        Assert.Equal(InvoiceStatus.Processing, invoice.Status);
        Assert.NotEqual("pay_1", invoice.Payment!.PaymentId);
        Assert.Equal(("pm_card_visa", null, "pi_old", null), (invoice.Payment.PaymentMethodId, invoice.Payment.PaymentIntentId, invoice.Payment.ReplacesPaymentIntentId, invoice.Payment.ClientSecret));
    }

    [Fact]
    public async Task An_attempt_that_never_reached_Stripe_passes_on_the_intent_it_was_to_cancel()
    {
        Put(InvoiceStatus.PaymentFailed, new PaymentAttempt("pay_2", "pm_card_visa", null, "processing_error") { ReplacesPaymentIntentId = "pi_old" });
        var invoice = (await new PaymentService(_store, _time).PayAsync(Alice, InvoiceId, "pm_card_visa", "third-try", default)).Value!;
        Assert.Equal("pi_old", invoice.Payment!.ReplacesPaymentIntentId);
    }

    [Fact]
    public async Task A_payment_under_way_still_cannot_be_paid_again_or_voided()
    {
        Put(InvoiceStatus.Processing, new PaymentAttempt("pay_1", "pm_card_visa"));
        var payments = new PaymentService(_store, _time);
        Assert.Equal("payment_in_progress", (await payments.PayAsync(Alice, InvoiceId, "pm_card_visa", "other", default)).Failure!.Code);
        Assert.Equal("invalid_transition", (await payments.VoidAsync(Alice, InvoiceId, default)).Failure!.Code);
    }

    [Fact]
    public async Task Voiding_from_requires_action_keeps_the_intent_for_billingWorker_and_drops_the_secret()
    {
        Put(InvoiceStatus.RequiresAction, new PaymentAttempt("pay_1", "pm_card_authenticationRequired", "pi_old") { ClientSecret = Secret, NextAction = UseStripeSdk });

        var invoice = (await new PaymentService(_store, _time).VoidAsync(Alice, InvoiceId, default)).Value!;

        Assert.Equal((InvoiceStatus.Void, "pi_old", null, null), (invoice.Status, invoice.Payment!.PaymentIntentId, invoice.Payment.ClientSecret, invoice.Payment.NextAction));
    }

    [Fact]
    public async Task Billing_cancels_the_replaced_intent_before_it_charges()
    {
        Put(InvoiceStatus.Processing, new PaymentAttempt("pay_2", "pm_card_visa") { ReplacesPaymentIntentId = "pi_old" });
        var gateway = new ScriptedGateway(CancelStatus.Canceled);

        var outcome = await Billing(gateway).ChargeAsync(Alice, InvoiceId, "pay_2", Deadline, default);

        Assert.Equal(["cancel pi_old", "charge pay_2"], gateway.Calls);
        Assert.Null(outcome.PaidByReplacedIntent);
        Assert.Equal((InvoiceStatus.Paid, "pi_new"), ((await GetAsync()).Status, (await GetAsync()).Payment!.PaymentIntentId));
    }

    [Fact]
    public async Task If_the_payer_completed_the_replaced_intent_first_the_invoice_is_paid_by_it_and_nothing_is_charged()
    {
        Put(InvoiceStatus.Processing, new PaymentAttempt("pay_2", "pm_card_visa") { ReplacesPaymentIntentId = "pi_old" });
        var gateway = new ScriptedGateway(CancelStatus.AlreadySucceeded);

        var outcome = await Billing(gateway).ChargeAsync(Alice, InvoiceId, "pay_2", Deadline, default);

        Assert.Equal(["cancel pi_old"], gateway.Calls);
        Assert.Equal("pi_old", outcome.PaidByReplacedIntent);
        var invoice = await GetAsync();
        Assert.Equal((InvoiceStatus.Paid, "pay_2", "pi_old"), (invoice.Status, invoice.Payment!.PaymentId, invoice.Payment.PaymentIntentId));
    }

    [Fact]
    public async Task Stripe_refusing_the_cancel_fails_the_new_attempt_without_charging_and_logs_for_the_alarm()
    {
        Put(InvoiceStatus.Processing, new PaymentAttempt("pay_2", "pm_card_visa") { ReplacesPaymentIntentId = "pi_old" });
        var gateway = new ScriptedGateway(CancelStatus.Refused);
        var logs = new StringWriter();

        var response = await new BillingWorkerFunction(Billing(gateway)).HandleAsync(Message("PaymentRequested", "processing", "pay_2"), Context(logs), default);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(["cancel pi_old"], gateway.Calls);
        var invoice = await GetAsync();
        Assert.Equal((InvoiceStatus.PaymentFailed, "processing_error", "pi_old"), (invoice.Status, invoice.Payment!.FailureCode, invoice.Payment.ReplacesPaymentIntentId));
        Assert.Equal(StripeRefusals.ErrorClass, Assert.Single(ErrorLines(logs))["error_class"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_void_cancels_the_open_intents_and_logs_no_error()
    {
        var gateway = new ScriptedGateway(CancelStatus.Canceled);
        var logs = new StringWriter();

        var response = await new BillingWorkerFunction(Billing(gateway)).HandleAsync(Message("InvoiceVoided", "void", "pay_2", "pi_new", "pi_old"), Context(logs), default);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(["cancel pi_new", "cancel pi_old"], gateway.Calls);
        Assert.Empty(ErrorLines(logs));
    }

    [Fact]
    public async Task A_void_whose_intent_the_payer_completed_first_refunds_it_and_logs_an_error()
    {
        var gateway = new ScriptedGateway(CancelStatus.AlreadySucceeded);
        var logs = new StringWriter();

        var response = await new BillingWorkerFunction(Billing(gateway)).HandleAsync(Message("InvoiceVoided", "void", "pay_1", "pi_old"), Context(logs), default);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(["cancel pi_old", "refund pi_old"], gateway.Calls);
        var line = Assert.Single(ErrorLines(logs));
        Assert.Equal((BillingWorkerFunction.VoidedInvoicePaidErrorClass, "pi_old", "re_1"), (line["error_class"]!.GetValue<string>(), line["payment_intent_id"]!.GetValue<string>(), line["refund_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Stripe_refusing_a_voids_cancel_sends_the_message_back_to_be_retried()
    {
        var gateway = new ScriptedGateway(CancelStatus.Refused);
        var logs = new StringWriter();

        var response = await new BillingWorkerFunction(Billing(gateway)).HandleAsync(Message("InvoiceVoided", "void", "pay_1", "pi_old"), Context(logs), default);

        Assert.Equal(["m1"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Equal(StripeRefusals.ErrorClass, Assert.Single(ErrorLines(logs))["error_class"]!.GetValue<string>());
    }

    [Fact]
    public void PaymentActionRequired_tells_the_owner_only_and_carries_no_secret()
    {
        var evt = new InvoiceEvent
        {
            EventId = "rec-1:PaymentActionRequired",
            EventType = "PaymentActionRequired",
            OccurredAt = Now,
            Invoice = new InvoiceSnapshot
            {
                InvoiceId = InvoiceId,
                UserId = Alice,
                PayerEmail = "payer@example.com",
                IssuerEmail = "owner@example.com",
                Description = "Consulting",
                Amount = 1500,
                Currency = "USD",
                DueDate = "2026-12-31",
                Status = "requires_action",
                Version = 3,
                Payment = new PaymentSnapshot { PaymentId = "pay_1", PaymentMethodId = "pm_card_authenticationRequired", PaymentIntentId = "pi_old" },
            },
        };
        var emails = new InvoiceEmails(TestPayLinks.Keys, "example");

        var email = Assert.Single(emails.For(evt));
        Assert.Equal("owner@example.com", email.To);
        Assert.Contains("bank asks them to authenticate", email.Text, StringComparison.Ordinal);
        Assert.Contains("USD 15.00", email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", email.Text + email.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("pi_old", email.Text + email.Html, StringComparison.Ordinal);

        var withoutOwner = new InvoiceEvent { EventId = evt.EventId, EventType = evt.EventType, OccurredAt = Now, Invoice = new InvoiceSnapshot
        {
            InvoiceId = InvoiceId, UserId = Alice, PayerEmail = "payer@example.com", Description = "Consulting", Amount = 1500, Currency = "USD",
            DueDate = "2026-12-31", Status = "requires_action", Version = 3,
        } };
        Assert.Empty(emails.For(withoutOwner));
    }

    private static ChargeResult RequiresAction(string intentId) =>
        new(ChargeStatus.RequiresAction, intentId) { ClientSecret = Secret, NextAction = UseStripeSdk };

    private BillingService Billing(IPaymentGateway gateway) => new(_store, gateway, _claims, new PaymentOutcomes(_store, _time));

    private ClockContext Context(StringWriter logs) => new(_time, Deadline, new JsonLogger(new FunctionEnvironment(), logs, _time));

    private static List<JsonNode> ErrorLines(StringWriter logs) =>
        logs.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).Where(l => l["level"]!.GetValue<string>() == "Error").ToList();

    private async Task<Invoice> GetAsync() => (await _store.GetAsync(Alice, InvoiceId, default))!;

    private void Put(InvoiceStatus status, PaymentAttempt payment) => _store.Put(Invoice(status, payment));

    private static Invoice Invoice(InvoiceStatus status, PaymentAttempt payment) => new()
    {
        InvoiceId = InvoiceId,
        UserId = Alice,
        Details = new InvoiceDetails("payer@example.com", "Consulting", 1500, "USD", new DateOnly(2026, 12, 31), [], null, "owner@example.com"),
        Status = status,
        Version = 3,
        CreatedAt = Now,
        UpdatedAt = Now,
        Payment = payment,
    };

    private static SQSEvent Message(string eventType, string status, string paymentId, string? intentId = null, string? replaces = null)
    {
        var payment = new JsonObject { ["paymentId"] = paymentId, ["paymentMethodId"] = "pm_card_visa" };
        if (intentId is not null)
        {
            payment["paymentIntentId"] = intentId;
        }

        if (replaces is not null)
        {
            payment["replacesPaymentIntentId"] = replaces;
        }

        var body = new JsonObject
        {
            ["eventId"] = $"rec-1:{eventType}",
            ["eventVersion"] = InvoiceEvent.CurrentVersion,
            ["eventType"] = eventType,
            ["occurredAt"] = Now.ToString("O"),
            ["invoice"] = new JsonObject
            {
                ["invoiceId"] = InvoiceId,
                ["userId"] = Alice,
                ["payerEmail"] = "payer@example.com",
                ["description"] = "Consulting",
                ["amount"] = 1500,
                ["currency"] = "USD",
                ["dueDate"] = "2026-12-31",
                ["status"] = status,
                ["version"] = 3,
                ["payment"] = payment,
            },
        };
        return new SQSEvent { Records = [new SQSEvent.SQSMessage { MessageId = "m1", Body = body.ToJsonString() }] };
    }

    /// <summary>Answers every cancel with one status, charges succeed, refunds succeed; remembers the calls in order.</summary>
    private sealed class ScriptedGateway(CancelStatus cancel) : IPaymentGateway
    {
        public List<string> Calls { get; } = [];

        public Task<ChargeResult> ChargeAsync(ChargeRequest request, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            Calls.Add("charge " + request.PaymentId);
            return Task.FromResult(new ChargeResult(ChargeStatus.Succeeded, "pi_new"));
        }

        public Task<CancelResult> CancelAsync(string paymentIntentId, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            Calls.Add("cancel " + paymentIntentId);
            return Task.FromResult(cancel == CancelStatus.Refused
                ? new CancelResult(cancel, paymentIntentId, new ProviderError("authentication_error", 401, null, null, "req_1", "Invalid API Key provided: [redacted key]"))
                : new CancelResult(cancel, paymentIntentId));
        }

        public Task<RefundResult> RefundAsync(string paymentIntentId, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            Calls.Add("refund " + paymentIntentId);
            return Task.FromResult(new RefundResult("re_1", "succeeded", 1500, "usd"));
        }
    }
}
