namespace PayMyInvoice.Core.Invoices;

/// <summary>
/// The amounts Stripe will charge, checked before anything is written, for invoices and fees alike; the Stripe
/// emulator refuses by the same rules. The one table of per-currency minimums lives here.
/// </summary>
/// <remarks>
/// Source: Stripe, "Supported currencies" — docs.stripe.com/currencies, section "Minimum and maximum charge amounts"
/// (read 2026-11-28 from a stored copy of the page), and for three-decimal currencies its section "Three-decimal
/// currencies" ("these API calls require the least-significant (last) digit to be 0 … 5.124 KWD must be rounded to
/// 5120 or 5130"; stored copy from 2023 — today's Markdown export of the page leaves that section out).
/// <list type="bullet">
/// <item>Minimums: Stripe's minimum depends on the account's settlement currency, and a charge in another currency
/// must convert to at least the settlement currency's minimum. We apply each listed currency's own minimum to charges
/// in that currency (exact when the account settles in it). For a currency Stripe lists no minimum for, no exchange
/// rate is known offline, so we ask only for one chargeable step (1 minor unit, 10 for three-decimal currencies, 100
/// for ISK and UGX); Stripe may still answer <c>amount_too_small</c> after conversion.</item>
/// <item>Maximum: 8 digits, 99,999,999 minor units — Stripe's limit for all but IDR, INR, COP (and some card
/// currencies, which allow more); we keep the 8-digit limit for every currency.</item>
/// </list>
/// </remarks>
public static class MoneyRules
{
    public const long MaxAmount = 99_999_999;

    /// <summary>Stripe's documented minimum charge per currency, in minor units of that currency.</summary>
    private static readonly Dictionary<string, long> Minimums = new(StringComparer.Ordinal)
    {
        ["USD"] = 50, ["AED"] = 200, ["ARS"] = 50, ["AUD"] = 50, ["BRL"] = 50, ["CAD"] = 50, ["CHF"] = 50, ["COP"] = 50,
        ["CZK"] = 1500, ["DKK"] = 250, ["EUR"] = 50, ["GBP"] = 30, ["HKD"] = 400, ["HUF"] = 17500, ["IDR"] = 50,
        ["ILS"] = 50, ["INR"] = 50, ["JPY"] = 50, ["KRW"] = 50, ["MXN"] = 1000, ["MYR"] = 200, ["NOK"] = 300,
        ["NZD"] = 50, ["PHP"] = 50, ["PLN"] = 200, ["RON"] = 200, ["RUB"] = 50, ["SEK"] = 300, ["SGD"] = 50,
        ["THB"] = 1000, ["ZAR"] = 50,
    };

    /// <summary>The smallest amount Stripe charges in <paramref name="currency"/> (an upper-case ISO code), in minor units.</summary>
    public static long MinimumFor(string currency) => Math.Max(Minimums.GetValueOrDefault(currency, 1), Currencies.Step(currency));

    /// <summary>Null when Stripe charges <paramref name="amount"/> minor units of <paramref name="currency"/>; else why not, as an error on <paramref name="field"/>.</summary>
    public static FieldError? Check(string field, long amount, string currency)
    {
        var minimum = MinimumFor(currency);
        if (amount is < 1 or > MaxAmount)
        {
            return new FieldError(field, "out_of_range", $"Must be an integer number of minor units from {minimum} to {MaxAmount} ({Currencies.Format(minimum, currency)} to {Currencies.Format(MaxAmount, currency)}).");
        }

        if (amount < minimum)
        {
            return new FieldError(field, "below_minimum", $"Must be at least {Currencies.Format(minimum, currency)} ({minimum} minor units), the least Stripe charges in {currency}.");
        }

        var step = Currencies.Step(currency);
        if (amount % step != 0)
        {
            var why = step == 10
                ? $"Stripe charges {currency} to two of its three decimals"
                : $"Stripe charges {currency} in whole units";
            var below = amount - (amount % step);
            var example = below + step <= MaxAmount ? $"{below} or {below + step}" : $"{below}";
            return new FieldError(field, $"not_multiple_of_{step}", $"Must be a multiple of {step} minor units: {why} (e.g. {example}).");
        }

        return null;
    }
}
