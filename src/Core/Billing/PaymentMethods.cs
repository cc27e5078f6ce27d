namespace PayMyInvoice.Core.Billing;

/// <summary>The one check of a client-supplied Stripe payment method id, for every request that names one.</summary>
public static class PaymentMethods
{
    public const int MaxLength = 255;

    /// <summary>Null when <paramref name="paymentMethodId"/> is usable; otherwise the field error to answer with.</summary>
    public static FieldError? Check(string? paymentMethodId)
    {
        if (string.IsNullOrWhiteSpace(paymentMethodId))
        {
            return new FieldError("paymentMethodId", "required", "Is required: a Stripe payment method id such as pm_card_visa.");
        }

        return paymentMethodId.StartsWith("pm_", StringComparison.Ordinal) && paymentMethodId.Length <= MaxLength && !paymentMethodId.Any(char.IsWhiteSpace)
            ? null
            : new FieldError("paymentMethodId", "invalid_format", "Must be a Stripe payment method id (pm_...).");
    }
}
