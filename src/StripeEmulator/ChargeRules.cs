using System.Text.Json.Nodes;
using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.StripeEmulator;

/// <summary>
/// What Stripe refuses in a charge's amount and currency, answered as Stripe answers it (400
/// <c>invalid_request_error</c>). The rules are the project's one table, <see cref="MoneyRules"/> and
/// <see cref="Currencies"/>, which cite Stripe's documentation; the error codes are Stripe's documented ones
/// (docs.stripe.com/error-codes): <c>amount_too_small</c>, <c>amount_too_large</c>, and <c>invalid_charge_amount</c>
/// ("The specified amount is invalid …") for a three-decimal amount not ending in 0 or ISK/UGX not ending in 00,
/// where Stripe documents the rule but not the code it answers with. An unsupported currency is
/// <c>invalid_request_error</c> with <c>param: currency</c> and no code, as Stripe answers.
/// </summary>
public static class ChargeRules
{
    /// <summary>Null when Stripe would charge <paramref name="amount"/> in <paramref name="currency"/>; else the error body.</summary>
    public static JsonObject? Refusal(long amount, string currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var code = currency.ToUpperInvariant();
        var lower = currency.ToLowerInvariant();
        if (!Currencies.IsChargeable(code))
        {
            return Error($"Invalid currency: {lower}. Stripe currently supports these currencies: see https://docs.stripe.com/currencies.", null, "currency");
        }

        if (amount > MoneyRules.MaxAmount)
        {
            return Error($"Amount must be no more than {Currencies.Major(MoneyRules.MaxAmount, code)} {lower}", "amount_too_large", "amount");
        }

        var minimum = MoneyRules.MinimumFor(code);
        if (amount < minimum)
        {
            return Error($"Amount must be at least {Currencies.Major(minimum, code)} {lower}", "amount_too_small", "amount");
        }

        var step = Currencies.Step(code);
        return amount % step == 0
            ? null
            : Error($"Invalid amount: {lower} amounts must be a multiple of {step} in the smallest currency unit.", "invalid_charge_amount", "amount");
    }

    private static JsonObject Error(string message, string? code, string param)
    {
        var error = new JsonObject { ["type"] = "invalid_request_error", ["message"] = message };
        if (code is not null)
        {
            error["code"] = code;
            error["doc_url"] = $"https://stripe.com/docs/error-codes/{code.Replace('_', '-')}";
        }

        error["param"] = param;
        return new JsonObject { ["error"] = error };
    }
}
