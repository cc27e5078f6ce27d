using System.Diagnostics;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Idempotency;
using PayMyInvoice.Infrastructure.Stripe;
using PayMyInvoice.StripeEmulator;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// The Stripe gateway (real Stripe.net) against the emulator's injected errors: each of Stripe's error classes means
/// what Stripe documents, and each call fits the time its invocation has left.
/// </summary>
public sealed class StripeErrorTests : IAsyncLifetime
{
    private const string Key = "sk_test_51Local0123456789abcd";
    private StripeEmulatorServer _stripe = null!;

    public async Task InitializeAsync() => _stripe = await StripeEmulatorServer.StartAsync();

    public async Task DisposeAsync() => await _stripe.DisposeAsync();

    private static DateTimeOffset InThirtySeconds => DateTimeOffset.UtcNow.AddSeconds(30);

    [Theory]
    [InlineData(FaultKind.AuthenticationError, "authentication_error", 401)]
    [InlineData(FaultKind.PermissionError, "permission_error", 403)]
    [InlineData(FaultKind.IdempotencyError, "idempotency_error", 400)]
    public async Task Stripe_refusing_our_request_is_a_processing_error_for_the_payer_and_the_details_for_operators_without_the_key(FaultKind fault, string type, int status)
    {
        _stripe.FailNext(1, fault);

        var result = await Gateway().ChargeAsync(Request("pm_card_visa"), InThirtySeconds, CancellationToken.None);

        Assert.Equal((ChargeStatus.Failed, "processing_error"), (result.Status, result.FailureCode));
        Assert.Equal(PaymentFailureMessages.For("processing_error"), result.FailureMessage);
        Assert.Equal((type, status), (result.ProviderError!.Type, result.ProviderError.HttpStatus));
        Assert.DoesNotContain("sk_test", result.ProviderError.Message ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(Key[^4..], result.ProviderError.Message ?? "", StringComparison.Ordinal);
        Assert.Equal(0, _stripe.Charges);
    }

    [Fact]
    public async Task Any_other_invalid_request_is_a_processing_error_too()
    {
        var result = await Gateway().ChargeAsync(Request("pm_card_visa", amount: 0), InThirtySeconds, CancellationToken.None);

        Assert.Equal((ChargeStatus.Failed, "processing_error"), (result.Status, result.FailureCode));
        Assert.Equal(("invalid_request_error", "amount"), (result.ProviderError!.Type, result.ProviderError.Param));
    }

    [Fact]
    public async Task A_payment_method_that_does_not_exist_is_a_decline_the_payer_can_fix()
    {
        var result = await Gateway().ChargeAsync(Request("pm_card_doesNotExist"), InThirtySeconds, CancellationToken.None);

        Assert.Equal((ChargeStatus.Declined, "resource_missing"), (result.Status, result.FailureCode));
        Assert.Equal(PaymentFailureMessages.For("resource_missing"), result.FailureMessage);
        Assert.Null(result.ProviderError);
    }

    [Theory]
    [InlineData("pm_card_chargeDeclined", "generic_decline")]
    [InlineData("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds")]
    [InlineData("pm_card_chargeDeclinedLostCard", "lost_card")]
    [InlineData("pm_card_chargeDeclinedStolenCard", "stolen_card")]
    [InlineData("pm_card_chargeDeclinedExpiredCard", "expired_card")]
    [InlineData("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc")]
    [InlineData("pm_card_chargeDeclinedProcessingError", "processing_error")]
    [InlineData("pm_card_visa_chargeDeclinedVelocityLimitExceeded", "card_velocity_exceeded")]
    public async Task A_card_error_is_a_decline_with_our_sentence_for_its_decline_code(string card, string declineCode)
    {
        var result = await Gateway().ChargeAsync(Request(card), InThirtySeconds, CancellationToken.None);

        Assert.Equal((ChargeStatus.Declined, declineCode), (result.Status, result.FailureCode));
        Assert.Equal(PaymentFailureMessages.For(declineCode), result.FailureMessage);
        Assert.StartsWith("pi_", result.PaymentIntentId, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FaultKind.RateLimited, 1)]
    [InlineData(FaultKind.RateLimitError, 1)]
    [InlineData(FaultKind.ServerError, 3)] // Stripe.net retries a 500 twice itself
    public async Task Rate_limits_and_server_errors_are_retried_later_and_the_retry_charges_once(FaultKind fault, int count)
    {
        _stripe.FailNext(count, fault);
        var gateway = Gateway();
        var request = Request("pm_card_visa");

        await Assert.ThrowsAsync<RetryLaterException>(() => gateway.ChargeAsync(request, InThirtySeconds, CancellationToken.None));
        var retried = await gateway.ChargeAsync(request, InThirtySeconds, CancellationToken.None);

        Assert.Equal(ChargeStatus.Succeeded, retried.Status);
        Assert.Equal(1, _stripe.Charges);
    }

    [Fact]
    public async Task A_hung_call_gives_up_at_the_configured_timeout_as_a_retry_not_a_cancellation()
    {
        _stripe.FailNext(1, FaultKind.Hang);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RetryLaterException>(() => Gateway(timeoutSeconds: "1").ChargeAsync(Request("pm_card_visa"), InThirtySeconds, CancellationToken.None));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
        Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);
        Assert.Equal(0, _stripe.Charges);
    }

    [Fact]
    public async Task A_call_never_runs_past_the_time_its_invocation_has_left()
    {
        _stripe.FailNext(1, FaultKind.Hang);
        var clock = Stopwatch.StartNew();
        var deadline = DateTimeOffset.UtcNow + StripePaymentGateway.RecordingReserve + TimeSpan.FromSeconds(1);

        await Assert.ThrowsAsync<RetryLaterException>(() => Gateway().ChargeAsync(Request("pm_card_visa"), deadline, CancellationToken.None));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4)); // not the configured 10 s
    }

    [Fact]
    public async Task No_call_is_made_when_the_deadline_leaves_no_time_for_one()
    {
        var calls = _stripe.ApiCalls;
        await Assert.ThrowsAsync<RetryLaterException>(() => Gateway().ChargeAsync(Request("pm_card_visa"), DateTimeOffset.UtcNow.AddSeconds(1), CancellationToken.None));
        Assert.Equal(calls, _stripe.ApiCalls);
    }

    [Fact]
    public async Task The_invocations_own_cancellation_is_not_mistaken_for_a_client_timeout()
    {
        _stripe.FailNext(1, FaultKind.Hang);
        using var invocation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => Gateway().ChargeAsync(Request("pm_card_visa"), InThirtySeconds, invocation.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }

    private StripePaymentGateway Gateway(string? timeoutSeconds = null) => StripePaymentGateway.FromSettings(name => name switch
    {
        StripePaymentGateway.SecretKeyVariable => Key,
        StripePaymentGateway.ApiBaseVariable => _stripe.BaseUrl.ToString().TrimEnd('/'),
        StripePaymentGateway.TimeoutVariable => timeoutSeconds,
        _ => null,
    });

    private static ChargeRequest Request(string paymentMethod, long amount = 1500) =>
        new($"pay_{Guid.NewGuid():N}", "alice", "inv_1", amount, "USD", paymentMethod);
}
