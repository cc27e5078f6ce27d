namespace PayMyInvoice.Core.Billing;

/// <summary>The one check of a client-supplied Stripe payment method id, for every request that names one.</summary>
public static class PaymentMethods
{
    public const int MaxLength = 255;

    /// <summary>
    /// Null when <paramref name="paymentMethodId"/> is usable; otherwise the field error to answer with. Stripe's ids
    /// are <c>pm_</c> and then letters, digits and underscores (<c>pm_1Q0PsI…</c>, test ids such as
    /// <c>pm_card_visa</c>): anything else (a NUL, a space, a non-ASCII letter) could never name a payment method, and
    /// refused here it cannot leave a payment stuck in processing while the billing worker fails on it.
    /// </summary>
    public static FieldError? Check(string? paymentMethodId)
    {
        if (string.IsNullOrWhiteSpace(paymentMethodId))
        {
            return new FieldError("paymentMethodId", "required", "Is required: a Stripe payment method id such as pm_card_visa.");
        }

        return IsWellFormed(paymentMethodId)
            ? null
            : new FieldError("paymentMethodId", "invalid_format", "Must be a Stripe payment method id: pm_ followed by letters, digits and underscores (pm_card_visa).");
    }

    public static bool IsWellFormed(string paymentMethodId)
    {
        ArgumentNullException.ThrowIfNull(paymentMethodId);
        if (paymentMethodId.Length is <= 3 or > MaxLength || !paymentMethodId.StartsWith("pm_", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in paymentMethodId.AsSpan(3))
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
