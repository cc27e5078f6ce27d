namespace PayMyInvoice.StripeEmulator;

/// <summary>Stripe's documented test payment methods and what confirming with each does.</summary>
public static class TestCards
{
    public sealed record Decline(string Code, string DeclineCode, string Message);

    public static readonly IReadOnlyDictionary<string, Decline> Declines = new Dictionary<string, Decline>(StringComparer.Ordinal)
    {
        ["pm_card_chargeDeclined"] = new("card_declined", "generic_decline", "Your card was declined."),
        ["pm_card_chargeDeclinedInsufficientFunds"] = new("card_declined", "insufficient_funds", "Your card has insufficient funds."),
        ["pm_card_chargeDeclinedExpiredCard"] = new("expired_card", "expired_card", "Your card has expired."),
        ["pm_card_chargeDeclinedLostCard"] = new("card_declined", "lost_card", "Your card was declined."),
        ["pm_card_chargeDeclinedStolenCard"] = new("card_declined", "stolen_card", "Your card was declined."),
        ["pm_card_chargeDeclinedIncorrectCvc"] = new("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
        ["pm_card_chargeDeclinedProcessingError"] = new("processing_error", "processing_error", "An error occurred while processing your card. Try again in a little bit."),
        ["pm_card_visa_chargeDeclinedVelocityLimitExceeded"] = new("card_declined", "card_velocity_exceeded", "Your card was declined for making repeated attempts too frequently or exceeding its amount limit."),
    };

    public const string AuthenticationRequired = "pm_card_authenticationRequired";

    public static bool IsKnown(string paymentMethod) =>
        paymentMethod is "pm_card_visa" or "pm_card_mastercard" or AuthenticationRequired || Declines.ContainsKey(paymentMethod);
}
