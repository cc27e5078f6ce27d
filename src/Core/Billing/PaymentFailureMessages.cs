namespace PayMyInvoice.Core.Billing;

/// <summary>
/// The one plain sentence payer and owner see when a payment fails, chosen by the failure code (Stripe's
/// <c>decline_code</c>, else its error <c>code</c>, else ours). Stripe's own <c>message</c> is written for developers
/// and can quote part of an API key, so it is never shown. As Stripe advises, declines that hint at fraud
/// (<c>fraudulent</c>, <c>lost_card</c>, <c>stolen_card</c>, …) read as a plain decline.
/// </summary>
public static class PaymentFailureMessages
{
    /// <summary>Our code when Stripe refused the request itself (key, permissions, parameters): nothing the payer did.</summary>
    public const string ProcessingError = "processing_error";

    /// <summary>Our code when a delayed payment method (a bank debit on Stripe's Checkout page) failed after the payer left.</summary>
    public const string AsyncPaymentFailed = "async_payment_failed";

    /// <summary>Our code when the payer never completed the bank's confirmation (3-D Secure) and the reconciler gave up on it.</summary>
    public const string ActionExpired = "action_expired";

    private const string CardDeclined = "Your card was declined. Please use another card, or ask your bank why.";
    private const string Unknown = "The payment did not go through. Please try again, or use another card.";

    private static readonly Dictionary<string, string> ByCode = Table(
        (CardDeclined,
            ["generic_decline", "card_declined", "do_not_honor", "call_issuer", "do_not_try_again", "no_action_taken",
             "not_permitted", "restricted_card", "revocation_of_authorization", "revocation_of_all_authorizations",
             "service_not_allowed", "stop_payment_order", "transaction_not_allowed", "new_account_information_available",
             "fraudulent", "lost_card", "stolen_card", "pickup_card", "merchant_blacklist", "security_violation"]),
        ("Your card has insufficient funds. Please use another card.", ["insufficient_funds"]),
        ("Your card has reached its spending limit. Please use another card, or ask your bank to raise the limit.",
            ["card_velocity_exceeded", "withdrawal_count_limit_exceeded"]),
        ("Your card has expired. Please use another card.", ["expired_card"]),
        ("Your card's security code (CVC) is incorrect. Please check it and try again.", ["incorrect_cvc", "invalid_cvc"]),
        ("Your card number is incorrect. Please check it and try again.", ["incorrect_number", "invalid_number"]),
        ("Your card's expiry date is incorrect. Please check it and try again.", ["invalid_expiry_month", "invalid_expiry_year"]),
        ("Your card's postal code is incorrect. Please check it and try again.", ["incorrect_zip", "incorrect_address"]),
        ("Your card does not support this payment. Please use another card.", ["card_not_supported", "currency_not_supported"]),
        ("Your bank asked you to confirm this payment and it was not confirmed. Please try again, or use another card.",
            ["authentication_required", "authentication_not_handled", "payment_intent_authentication_failure", ActionExpired]),
        ("Your bank could not approve the payment just now. Please try again in a little while.",
            ["try_again_later", "issuer_not_available", "reenter_transaction", "approve_with_id"]),
        ("The card could not be found. Please enter your card details again.", ["resource_missing"]),
        ("Your bank did not complete the payment. Please try again, or choose another way to pay.", [AsyncPaymentFailed]),
        ("An error occurred while processing the payment, and no money was taken. Please try again later.", [ProcessingError]));

    /// <summary>The sentence for a failure code; an unknown or missing code gets a general one.</summary>
    public static string For(string? failureCode) =>
        failureCode is not null && ByCode.TryGetValue(failureCode, out var sentence) ? sentence : Unknown;

    private static Dictionary<string, string> Table(params (string Sentence, string[] Codes)[] rows) =>
        rows.SelectMany(row => row.Codes.Select(code => KeyValuePair.Create(code, row.Sentence))).ToDictionary(StringComparer.Ordinal);
}
