using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PayMyInvoice.Billing;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.ScheduledEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Idempotency;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.UnitTests;

/// <summary>The reconciler's decisions: what Stripe says is recorded, what Stripe never saw is re-queued once and then failed.</summary>
public sealed class PaymentReconcilerTests
{
    private const string Alice = "alice";
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly InMemoryInvoiceStore _store = new();
    private readonly FakeLookup _stripe = new();

    private DateTimeOffset Deadline => _time.GetUtcNow().AddSeconds(120);

    [Fact]
    public async Task A_payment_Stripe_charged_but_nobody_recorded_is_paid()
    {
        Pending("inv_1", "pay_1", InvoiceStatus.Processing, Now.AddMinutes(-20));
        _stripe.Payments["pay_1"] = new ProviderPayment(ProviderPaymentStatus.Succeeded, "pi_1", "succeeded");

        var decision = Assert.Single(await RunAsync());

        Assert.Equal((ReconcileAction.Settled, "pi_1", "succeeded"), (decision.Action, decision.PaymentIntentId, decision.ProviderStatus));
        var invoice = await GetAsync("inv_1");
        Assert.Equal((InvoiceStatus.Paid, "pi_1", (DateTimeOffset?)null), (invoice.Status, invoice.Payment!.PaymentIntentId, invoice.PendingSince));
        Assert.Equal([new PaymentReference("pay_1", null)], _stripe.Asked);
    }

    [Theory]
    [InlineData(ProviderPaymentStatus.Abandoned, InvoiceStatus.Open, ReconcileAction.Settled)]
    [InlineData(ProviderPaymentStatus.Succeeded, InvoiceStatus.Paid, ReconcileAction.Settled)]
    [InlineData(ProviderPaymentStatus.Pending, InvoiceStatus.Processing, ReconcileAction.Left)]
    [InlineData(ProviderPaymentStatus.NotFound, InvoiceStatus.PaymentFailed, ReconcileAction.Failed)]
    public async Task A_pay_link_payment_is_asked_about_by_its_Checkout_Session(ProviderPaymentStatus stripe, InvoiceStatus expected, ReconcileAction action)
    {
        var pending = Pending("inv_1", "pay_1", InvoiceStatus.Processing, Now.AddMinutes(-40));
        _store.Put(pending with { Payment = new PaymentAttempt("pay_1", PaymentMethodId: null) { Checkout = new CheckoutSessionRef("cs_1", "https://checkout.example/cs_1", Now.AddMinutes(-7)) } });
        _stripe.Payments["pay_1"] = new ProviderPayment(stripe, "pi_1", "checkout");

        Assert.Equal(action, Assert.Single(await RunAsync()).Action);

        Assert.Equal([new PaymentReference("pay_1", null, "cs_1")], _stripe.Asked);
        Assert.Equal(expected, (await GetAsync("inv_1")).Status);
    }

    [Fact]
    public async Task A_decline_Stripe_knows_of_fails_the_invoice_with_our_sentence_for_its_code()
    {
        Pending("inv_1", "pay_1", InvoiceStatus.Processing, Now.AddMinutes(-20));
        _stripe.Payments["pay_1"] = new ProviderPayment(ProviderPaymentStatus.Failed, "pi_1", "requires_payment_method", "insufficient_funds");

        Assert.Equal(ReconcileAction.Settled, Assert.Single(await RunAsync()).Action);

        var invoice = await GetAsync("inv_1");
        Assert.Equal((InvoiceStatus.PaymentFailed, "insufficient_funds", PaymentFailureMessages.For("insufficient_funds")), (invoice.Status, invoice.Payment!.FailureCode, invoice.Payment.FailureMessage));
    }

    [Fact]
    public async Task A_payment_Stripe_never_saw_is_requeued_once_through_the_stream_and_its_clock_restarts()
    {
        var before = Pending("inv_1", "pay_1", InvoiceStatus.Processing, Now.AddMinutes(-20));

        var decision = Assert.Single(await RunAsync());

        Assert.Equal((ReconcileAction.Requeued, "not_found"), (decision.Action, decision.ProviderStatus));
        var after = await GetAsync("inv_1");
        Assert.Equal((InvoiceStatus.Processing, Now, Now, "pay_1"), (after.Status, after.PendingSince, after.Payment!.RequeuedAt, after.Payment.PaymentId));
        Assert.Equal(InvoiceEventType.PaymentRequested, InvoiceEvents.Classify(before, after)); // the billing queue hears it again

        // The next run, 15 minutes on, leaves it alone: the re-queued message has its own full redelivery window.
        _time.Advance(TimeSpan.FromMinutes(14));
        Assert.Empty(await RunAsync());
    }

    [Fact]
    public async Task A_requeued_payment_Stripe_still_never_saw_fails_with_processing_error_a_threshold_later()
    {
        Pending("inv_1", "pay_1", InvoiceStatus.Processing, Now.AddMinutes(-20));
        Assert.Equal(ReconcileAction.Requeued, Assert.Single(await RunAsync()).Action);
        _time.Advance(TimeSpan.FromMinutes(16));

        var decision = Assert.Single(await RunAsync());

        Assert.Equal((ReconcileAction.Failed, PaymentFailureMessages.ProcessingError), (decision.Action, decision.FailureCode));
        var invoice = await GetAsync("inv_1");
        Assert.Equal((InvoiceStatus.PaymentFailed, "processing_error", PaymentFailureMessages.For("processing_error")), (invoice.Status, invoice.Payment!.FailureCode, invoice.Payment.FailureMessage));
        Assert.Null(invoice.PendingSince);
    }

    [Fact]
    public async Task Invoices_newer_than_the_threshold_are_left_alone_and_Stripe_is_not_asked()
    {
        Pending("inv_1", "pay_1", InvoiceStatus.Processing, Now.AddMinutes(-14));
        Pending("inv_2", "pay_2", InvoiceStatus.RequiresAction, Now.AddHours(-23), "pi_2");

        Assert.Empty(await RunAsync());
        Assert.Empty(_stripe.Asked);
    }

    [Fact]
    public async Task An_invoice_that_moved_since_the_index_was_read_is_left_for_later()
    {
        // The index (eventually consistent) still lists it as old; the stored invoice was re-queued a moment ago.
        Pending("inv_1", "pay_1", InvoiceStatus.Processing, Now.AddMinutes(-20));
        var decision = await Reconciler().ReconcileAsync(Alice, "inv_1", Deadline, default);
        Assert.Equal(ReconcileAction.Requeued, decision.Action);

        Assert.Equal(ReconcileAction.Left, (await Reconciler().ReconcileAsync(Alice, "inv_1", Deadline, default)).Action);
        Assert.Single(_stripe.Asked);
    }

    [Fact]
    public async Task Stripe_requiring_action_moves_a_processing_invoice_to_requires_action_and_starts_the_payers_clock()
    {
        Pending("inv_1", "pay_1", InvoiceStatus.Processing, Now.AddMinutes(-20));
        _stripe.Payments["pay_1"] = new ProviderPayment(ProviderPaymentStatus.RequiresAction, "pi_1", "requires_action")
        {
            ClientSecret = "pi_1_secret_x",
            NextAction = new PaymentNextAction("use_stripe_sdk", null, null),
        };

        Assert.Equal(ReconcileAction.Settled, Assert.Single(await RunAsync()).Action);

        var invoice = await GetAsync("inv_1");
        Assert.Equal((InvoiceStatus.RequiresAction, "pi_1", Now), (invoice.Status, invoice.Payment!.PaymentIntentId, invoice.PendingSince));
        Assert.Equal(("pi_1_secret_x", "use_stripe_sdk"), (invoice.Payment.ClientSecret, invoice.Payment.NextAction?.Type)); // the frontend can finish it
    }

    [Fact]
    public async Task Authentication_the_payer_never_completes_is_cancelled_after_24_hours_and_fails_with_action_expired()
    {
        Pending("inv_1", "pay_1", InvoiceStatus.RequiresAction, Now.AddHours(-25), "pi_1");
        _stripe.Payments["pay_1"] = new ProviderPayment(ProviderPaymentStatus.RequiresAction, "pi_1", "requires_action");

        var decision = Assert.Single(await RunAsync());

        Assert.Equal((ReconcileAction.Failed, "action_expired"), (decision.Action, decision.FailureCode));
        Assert.Equal(["pi_1"], _stripe.Cancelled);
        Assert.Equal([new PaymentReference("pay_1", "pi_1")], _stripe.Asked); // retrieved by its PaymentIntent, not searched
        var invoice = await GetAsync("inv_1");
        Assert.Equal((InvoiceStatus.PaymentFailed, "action_expired", PaymentFailureMessages.For("authentication_required")), (invoice.Status, invoice.Payment!.FailureCode, invoice.Payment.FailureMessage));
    }

    [Fact]
    public async Task Authentication_completed_just_before_the_cancel_counts_as_paid()
    {
        Pending("inv_1", "pay_1", InvoiceStatus.RequiresAction, Now.AddHours(-25), "pi_1");
        _stripe.Payments["pay_1"] = new ProviderPayment(ProviderPaymentStatus.RequiresAction, "pi_1", "requires_action");
        _stripe.CancelAnswer = new ProviderPayment(ProviderPaymentStatus.Succeeded, "pi_1", "succeeded");

        Assert.Equal(ReconcileAction.Settled, Assert.Single(await RunAsync()).Action);
        Assert.Equal(InvoiceStatus.Paid, (await GetAsync("inv_1")).Status);
    }

    [Fact]
    public async Task A_payment_still_moving_at_Stripe_is_left_for_its_webhook()
    {
        Pending("inv_1", "pay_1", InvoiceStatus.Processing, Now.AddMinutes(-20));
        _stripe.Payments["pay_1"] = new ProviderPayment(ProviderPaymentStatus.Pending, "pi_1", "processing");

        Assert.Equal(ReconcileAction.Left, Assert.Single(await RunAsync()).Action);
        Assert.Equal(InvoiceStatus.Processing, (await GetAsync("inv_1")).Status);
    }

    [Fact]
    public async Task Stripe_failing_for_one_invoice_leaves_it_for_the_next_run_and_the_others_are_still_decided()
    {
        Pending("inv_1", "pay_1", InvoiceStatus.Processing, Now.AddMinutes(-30));
        Pending("inv_2", "pay_2", InvoiceStatus.Processing, Now.AddMinutes(-20));
        _stripe.Failures["pay_1"] = new RetryLaterException("Stripe is unavailable (500 api_error).");
        _stripe.Payments["pay_2"] = new ProviderPayment(ProviderPaymentStatus.Succeeded, "pi_2", "succeeded");

        var decisions = await RunAsync();

        Assert.Equal([ReconcileAction.Error, ReconcileAction.Settled], decisions.Select(d => d.Action));
        Assert.Equal([InvoiceStatus.Processing, InvoiceStatus.Paid], [(await GetAsync("inv_1")).Status, (await GetAsync("inv_2")).Status]);
    }

    [Fact]
    public async Task Near_the_deadline_the_run_stops_and_leaves_the_rest_for_the_next_run()
    {
        Pending("inv_1", "pay_1", InvoiceStatus.Processing, Now.AddMinutes(-30));
        Pending("inv_2", "pay_2", InvoiceStatus.Processing, Now.AddMinutes(-20));
        _stripe.Payments["pay_1"] = new ProviderPayment(ProviderPaymentStatus.Succeeded, "pi_1", "succeeded");
        var deadline = Now.AddSeconds(20);
        _stripe.OnAsk = () => _time.Advance(TimeSpan.FromSeconds(15)); // a slow Stripe: 5 s left after the first

        var decisions = new List<ReconcileDecision>();
        await foreach (var decision in Reconciler().RunAsync(deadline, default))
        {
            decisions.Add(decision);
        }

        Assert.Equal([(ReconcileAction.Settled, "inv_1"), (ReconcileAction.Stopped, "inv_2")], decisions.Select(d => (d.Action, d.InvoiceId)));
        Assert.Equal(InvoiceStatus.Processing, (await GetAsync("inv_2")).Status);
    }

    [Fact]
    public async Task The_function_returns_a_summary_and_logs_one_line_per_decision_with_its_fields()
    {
        Pending("inv_1", "pay_1", InvoiceStatus.Processing, Now.AddMinutes(-30));
        Pending("inv_2", "pay_2", InvoiceStatus.Processing, Now.AddMinutes(-20));
        _stripe.Payments["pay_1"] = new ProviderPayment(ProviderPaymentStatus.Succeeded, "pi_1", "succeeded");
        var logs = new StringWriter();
        var context = new ClockContext(_time, Deadline, new JsonLogger(new FunctionEnvironment(), logs, _time));

        var summary = await new ReconcilePaymentsFunction(Reconciler()).HandleAsync(new ScheduledEvent(), context, default);

        Assert.Equal("""{"examined":2,"settled":1,"requeued":1,"failed":0,"left":0,"errors":0,"stopped":false}""", JsonSerializer.Serialize(summary, ContractsJsonContext.Wire.ReconcileRunResponse));
        var lines = logs.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        var requeued = Assert.Single(lines, l => l["decision"]?.GetValue<string>() == "requeued");
        Assert.Equal(("inv_2", "pay_2", "not_found", "Warning"), (requeued["invoice_id"]!.GetValue<string>(), requeued["payment_id"]!.GetValue<string>(), requeued["stripe_status"]!.GetValue<string>(), requeued["level"]!.GetValue<string>()));
        Assert.Equal("pi_1", Assert.Single(lines, l => l["decision"]?.GetValue<string>() == "settled")["payment_intent_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Moving_into_processing_or_requires_action_stamps_pendingSince_and_moving_out_clears_it()
    {
        Pending("inv_1", "pay_1", InvoiceStatus.Processing, Now.AddMinutes(-20));
        _time.Advance(TimeSpan.FromMinutes(1));
        await _store.UpdateAsync(Alice, "inv_1", i => i.MoveTo(InvoiceStatus.RequiresAction, "test").Value!, _time, default);
        Assert.Equal(Now.AddMinutes(1), (await GetAsync("inv_1")).PendingSince);
        await _store.UpdateAsync(Alice, "inv_1", i => i.MoveTo(InvoiceStatus.PaymentFailed, "test").Value!, _time, default);
        Assert.Null((await GetAsync("inv_1")).PendingSince);
        _time.Advance(TimeSpan.FromMinutes(1));
        await _store.UpdateAsync(Alice, "inv_1", i => i.MoveTo(InvoiceStatus.Processing, "test").Value!, _time, default);
        Assert.Equal(Now.AddMinutes(2), (await GetAsync("inv_1")).PendingSince);
    }

    [Fact]
    public void Thresholds_default_to_the_billing_queues_redelivery_and_a_day_and_can_be_set()
    {
        Assert.Equal((TimeSpan.FromMinutes(15), TimeSpan.FromHours(24)), (ReconcileSettings.Default.ProcessingAfter, ReconcileSettings.Default.RequiresActionAfter));
        var set = ReconcileSettings.FromSettings(name => name == ReconcileSettings.ProcessingAfterVariable ? "1200" : null);
        Assert.Equal((TimeSpan.FromMinutes(20), TimeSpan.FromHours(24)), (set.ProcessingAfter, set.RequiresActionAfter));
        Assert.Throws<FormatException>(() => ReconcileSettings.FromSettings(_ => "-5"));
    }

    private PaymentReconciler Reconciler() => new(_store, _stripe, new PaymentOutcomes(_store, _time), ReconcileSettings.Default, _time);

    private async Task<List<ReconcileDecision>> RunAsync()
    {
        var decisions = new List<ReconcileDecision>();
        await foreach (var decision in Reconciler().RunAsync(Deadline, default))
        {
            decisions.Add(decision);
        }

        return decisions;
    }

    private async Task<Invoice> GetAsync(string invoiceId) => (await _store.GetAsync(Alice, invoiceId, default))!;

    private Invoice Pending(string invoiceId, string paymentId, InvoiceStatus status, DateTimeOffset since, string? paymentIntentId = null)
    {
        var invoice = new Invoice
        {
            InvoiceId = invoiceId,
            UserId = Alice,
            Details = new InvoiceDetails("payer@example.com", "Consulting", 1500, "USD", new DateOnly(2026, 12, 31), [], null),
            Status = status,
            Version = 2,
            CreatedAt = since,
            UpdatedAt = since,
            PendingSince = since,
            Payment = new PaymentAttempt(paymentId, "pm_card_visa", paymentIntentId),
        };
        _store.Put(invoice);
        return invoice;
    }

    private sealed class FakeLookup : IPaymentLookup
    {
        public Dictionary<string, ProviderPayment> Payments { get; } = [];
        public Dictionary<string, Exception> Failures { get; } = [];
        public List<PaymentReference> Asked { get; } = [];
        public List<string> Cancelled { get; } = [];
        public ProviderPayment? CancelAnswer { get; set; }
        public Action? OnAsk { get; set; }

        public Task<ProviderPayment> FindAsync(PaymentReference payment, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            Asked.Add(payment);
            OnAsk?.Invoke();
            return Failures.TryGetValue(payment.PaymentId, out var failure)
                ? Task.FromException<ProviderPayment>(failure)
                : Task.FromResult(Payments.GetValueOrDefault(payment.PaymentId) ?? ProviderPayment.NotFound);
        }

        public Task<ProviderPayment> CancelAsync(string paymentIntentId, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            Cancelled.Add(paymentIntentId);
            return Task.FromResult(CancelAnswer ?? new ProviderPayment(ProviderPaymentStatus.Failed, paymentIntentId, "canceled", "canceled"));
        }
    }
}
