using PayMyInvoice.Tests;
using PayMyInvoice.Contracts.Events;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Workers.Notifications;

namespace PayMyInvoice.UnitTests;

/// <summary>What payer and owner read when a payment fails: a plain sentence per code, never Stripe's developer text.</summary>
public sealed class PaymentFailureMessagesTests
{
    [Theory]
    [InlineData("generic_decline", "Your card was declined.")]
    [InlineData("do_not_honor", "Your card was declined.")]
    [InlineData("insufficient_funds", "Your card has insufficient funds.")]
    [InlineData("expired_card", "Your card has expired.")]
    [InlineData("incorrect_cvc", "Your card's security code (CVC) is incorrect.")]
    [InlineData("card_velocity_exceeded", "Your card has reached its spending limit.")]
    [InlineData("processing_error", "An error occurred while processing the payment, and no money was taken.")]
    [InlineData("resource_missing", "The card could not be found.")]
    public void Each_decline_code_has_its_plain_sentence(string code, string sentence) =>
        Assert.StartsWith(sentence, PaymentFailureMessages.For(code), StringComparison.Ordinal);

    [Theory]
    [InlineData("lost_card")]
    [InlineData("stolen_card")]
    [InlineData("fraudulent")]
    [InlineData("pickup_card")]
    public void Declines_that_hint_at_fraud_read_as_a_plain_decline_as_Stripe_advises(string code) =>
        Assert.Equal(PaymentFailureMessages.For("generic_decline"), PaymentFailureMessages.For(code));

    [Theory]
    [InlineData("some_code_stripe_adds_next_year")]
    [InlineData(null)]
    public void An_unknown_or_missing_code_gets_a_general_sentence(string? code) =>
        Assert.Equal("The payment did not go through. Please try again, or use another card.", PaymentFailureMessages.For(code));

    [Fact]
    public void A_failure_email_says_the_sentence_for_the_code_even_when_the_stored_message_is_Stripes_developer_text()
    {
        var evt = new InvoiceEvent
        {
            EventId = "evt_1:PaymentFailed",
            EventType = "PaymentFailed",
            OccurredAt = DateTimeOffset.UnixEpoch,
            Invoice = new InvoiceSnapshot
            {
                InvoiceId = "inv_019a2f3c4d5e7f808a9b0c1d2e3f4a5e",
                UserId = "alice",
                PayerEmail = "payer@example.com",
                IssuerEmail = "owner@example.com",
                Description = "Consulting",
                Amount = 1500,
                Currency = "USD",
                DueDate = "2026-12-31",
                Status = "payment_failed",
                Version = 3,
                Payment = new PaymentSnapshot
                {
                    PaymentId = "pay_1",
                    PaymentMethodId = "pm_card_visa",
                    FailureCode = "insufficient_funds",
                    FailureMessage = "Invalid API Key provided: sk_live_****abcd",
                },
            },
        };

        var emails = new InvoiceEmails(TestPayLinks.Keys, "example").For(evt);

        Assert.Equal(["payer@example.com", "owner@example.com"], emails.Select(e => e.To));
        Assert.All(emails, e =>
        {
            Assert.Contains(PaymentFailureMessages.For("insufficient_funds"), e.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("sk_live", e.Text + e.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("API Key", e.Text + e.Html, StringComparison.Ordinal);
        });
    }
}
