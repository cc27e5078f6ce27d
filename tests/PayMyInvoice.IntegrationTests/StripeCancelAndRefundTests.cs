using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Idempotency;
using PayMyInvoice.Infrastructure.Stripe;
using PayMyInvoice.StripeEmulator;
using Stripe;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// Cancelling PaymentIntents and refunding them: the emulator answers as Stripe documents (driven by the real
/// Stripe.net client), and <see cref="StripePaymentGateway"/> reads those answers over the wire.
/// </summary>
public sealed class StripeCancelAndRefundTests : IAsyncLifetime
{
    private StripeEmulatorServer _stripe = null!;
    private StripeClient _client = null!;
    private StripePaymentGateway _gateway = null!;
    private readonly DateTimeOffset _deadline = DateTimeOffset.UtcNow.AddMinutes(5);

    public async Task InitializeAsync()
    {
        _stripe = await StripeEmulatorServer.StartAsync();
        var apiBase = _stripe.BaseUrl.ToString().TrimEnd('/');
        _client = new StripeClient(StripeEmulatorServer.ApiKey, httpClient: new SystemNetHttpClient(new HttpClient { Timeout = TimeSpan.FromSeconds(5) }, maxNetworkRetries: 0), apiBase: apiBase);
        _gateway = StripePaymentGateway.FromSettings(name => name switch
        {
            StripePaymentGateway.SecretKeyVariable => StripeEmulatorServer.ApiKey,
            StripePaymentGateway.ApiBaseVariable => apiBase,
            _ => null,
        });
    }

    public async Task DisposeAsync() => await _stripe.DisposeAsync();

    private Task<Stripe.PaymentIntent> PayAsync(string paymentMethod) =>
        _client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 1500,
            Currency = "usd",
            PaymentMethod = paymentMethod,
            Confirm = true,
            Metadata = new Dictionary<string, string> { ["invoiceId"] = "inv_1" },
        });

    [Fact]
    public async Task A_payment_intent_that_requires_action_is_cancelled_with_its_reason_and_can_no_longer_be_completed()
    {
        var intent = await PayAsync("pm_card_authenticationRequired");
        Assert.Equal(("requires_action", "use_stripe_sdk"), (intent.Status, intent.NextAction.Type));

        var canceled = await _client.V1.PaymentIntents.CancelAsync(intent.Id, new PaymentIntentCancelOptions { CancellationReason = "abandoned" });

        Assert.Equal(("canceled", "abandoned"), (canceled.Status, canceled.CancellationReason));
        Assert.NotNull(canceled.CanceledAt);
        Assert.Null(canceled.NextAction);
        Assert.Throws<InvalidOperationException>(() => _stripe.CompleteAuthentication(intent.Id, approved: true));
        var confirm = await Assert.ThrowsAsync<StripeException>(() => _client.V1.PaymentIntents.ConfirmAsync(intent.Id));
        Assert.Equal("payment_intent_unexpected_state", confirm.StripeError.Code);
        Assert.Equal(0, _stripe.Charges);
    }

    [Fact]
    public async Task A_succeeded_payment_intent_cannot_be_cancelled_and_the_error_carries_it()
    {
        const string status = "succeeded";
        var intent = await PayAsync("pm_card_visa");

        var error = await Assert.ThrowsAsync<StripeException>(() => _client.V1.PaymentIntents.CancelAsync(intent.Id));

        Assert.Equal((400, "invalid_request_error", "payment_intent_unexpected_state"), ((int)error.HttpStatusCode, error.StripeError.Type, error.StripeError.Code));
        Assert.Contains($"has a status of {status}", error.StripeError.Message, StringComparison.Ordinal);
        Assert.Equal((intent.Id, status), (error.StripeError.PaymentIntent.Id, error.StripeError.PaymentIntent.Status));
    }

    [Fact]
    public async Task A_cancellation_reason_Stripe_does_not_know_is_refused()
    {
        var intent = await PayAsync("pm_card_authenticationRequired");
        var error = await Assert.ThrowsAsync<StripeException>(() => _client.V1.PaymentIntents.CancelAsync(intent.Id, new PaymentIntentCancelOptions { CancellationReason = "void_invoice" }));
        Assert.Equal(("invalid_request_error", "cancellation_reason"), (error.StripeError.Type, error.StripeError.Param));
        Assert.Equal("requires_action", (await _client.V1.PaymentIntents.GetAsync(intent.Id)).Status);
    }

    [Fact]
    public async Task The_gateway_reads_cancelled_already_cancelled_already_succeeded_and_unknown_intents()
    {
        var open = await PayAsync("pm_card_authenticationRequired");
        var declined = (await Assert.ThrowsAsync<StripeException>(() => PayAsync("pm_card_chargeDeclined"))).StripeError.PaymentIntent;
        var paid = await PayAsync("pm_card_visa");

        Assert.Equal(CancelStatus.Canceled, (await _gateway.CancelAsync(open.Id, _deadline, default)).Status);
        Assert.Equal(CancelStatus.Canceled, (await _gateway.CancelAsync(open.Id, _deadline, default)).Status); // asked again
        Assert.Equal(CancelStatus.Canceled, (await _gateway.CancelAsync(declined.Id, _deadline, default)).Status); // requires_payment_method
        Assert.Equal(CancelStatus.AlreadySucceeded, (await _gateway.CancelAsync(paid.Id, _deadline, default)).Status);
        Assert.Equal(CancelStatus.Canceled, (await _gateway.CancelAsync("pi_unknown", _deadline, default)).Status);
        Assert.Equal(["canceled", "canceled", "succeeded"], new[] { open.Id, declined.Id, paid.Id }.Select(id => _stripe.PaymentIntents.Single(i => i.Id == id).Status));
    }

    [Fact]
    public async Task The_gateway_reads_Stripe_refusing_a_cancel_or_failing_to_answer_as_Stripe_documents()
    {
        var open = await PayAsync("pm_card_authenticationRequired");

        _stripe.FailNext(1, FaultKind.AuthenticationError);
        var refused = await _gateway.CancelAsync(open.Id, _deadline, default);
        Assert.Equal((CancelStatus.Refused, "authentication_error", 401), (refused.Status, refused.ProviderError!.Type, refused.ProviderError.HttpStatus));

        _stripe.FailNext(3, FaultKind.ServerError); // Stripe.net's own two retries fail too
        await Assert.ThrowsAsync<RetryLaterException>(() => _gateway.CancelAsync(open.Id, _deadline, default));
        Assert.Equal("requires_action", _stripe.PaymentIntents.Single(i => i.Id == open.Id).Status);
    }

    [Fact]
    public async Task A_refund_gives_the_whole_payment_back_once_however_often_it_is_asked()
    {
        var paid = await PayAsync("pm_card_visa");

        var first = await _gateway.RefundAsync(paid.Id, _deadline, default);
        var again = await _gateway.RefundAsync(paid.Id, _deadline, default); // the same idempotency key: the first answer

        Assert.Equal(("succeeded", 1500L, "usd"), (first.Status, first.Amount, first.Currency));
        Assert.StartsWith("re_", first.RefundId, StringComparison.Ordinal);
        Assert.Equal(first.RefundId, again.RefundId);
        Assert.Equal(1500, _stripe.PaymentIntents.Single(i => i.Id == paid.Id).AmountRefunded);

        var twice = await Assert.ThrowsAsync<StripeException>(() => _client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.Id }));
        Assert.Equal("charge_already_refunded", twice.StripeError.Code);
        var unpaid = await PayAsync("pm_card_authenticationRequired");
        var nothing = await Assert.ThrowsAsync<StripeException>(() => _client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = unpaid.Id }));
        Assert.Equal(("invalid_request_error", "payment_intent"), (nothing.StripeError.Type, nothing.StripeError.Param));
    }
}
