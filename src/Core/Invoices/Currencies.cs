namespace PayMyInvoice.Core.Invoices;

/// <summary>
/// Active ISO 4217 codes, and how Stripe counts their minor units: an invoice's <c>amount</c> goes to Stripe as it is,
/// so its unit is Stripe's, not ISO's. Invariant globalization (AOT) leaves no culture data to ask, so the lists live here.
/// The charge rules built on them (minimums, multiples) are <see cref="MoneyRules"/>.
/// </summary>
/// <remarks>
/// From docs.stripe.com/currencies ("Zero-decimal currencies", "Three-decimal currencies", "Special cases", and the
/// presentment list), read 2026-11-28 from stored copies of the page. Where Stripe and ISO 4217 differ: MGA is
/// zero-decimal on Stripe (two in ISO); ISK and UGX are zero-decimal in ISO but Stripe wants them as two-decimal
/// amounts ending in 00 (its UGX entry appears in both lists; the special case is the rule we follow).
/// </remarks>
public static class Currencies
{
    private static readonly HashSet<string> Codes = new(
        ("AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF " +
         "CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG " +
         "HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA " +
         "MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD " +
         "RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX " +
         "USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG").Split(' '),
        StringComparer.Ordinal);

    /// <summary>ISO codes missing from Stripe's presentment currencies: Stripe refuses a charge in them.</summary>
    private static readonly HashSet<string> NotOnStripe = new(
        "BTN CUP ERN GHS IQD IRR KPW LYD MRU SDG SSP STN SVC SYP TMT VES ZWG".Split(' '), StringComparer.Ordinal);

    private static readonly HashSet<string> ZeroDecimal = new(
        "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF VND VUV XAF XOF XPF".Split(' '), StringComparer.Ordinal);

    /// <summary>Three decimals (IQD and LYD too, for display, though Stripe takes neither).</summary>
    private static readonly HashSet<string> ThreeDecimal = new("BHD IQD JOD KWD LYD OMR TND".Split(' '), StringComparer.Ordinal);

    /// <summary>Two-decimal amounts that must end in 00 (whole units): Stripe's special cases.</summary>
    private static readonly HashSet<string> WholeUnitsOnly = new("ISK UGX".Split(' '), StringComparer.Ordinal);

    public static bool IsKnown(string code) => Codes.Contains(code);

    /// <summary>Known, and one Stripe charges in.</summary>
    public static bool IsChargeable(string code) => Codes.Contains(code) && !NotOnStripe.Contains(code);

    /// <summary>Digits after the decimal point in an <c>amount</c> of this currency: 0, 2 or 3.</summary>
    public static int Decimals(string currency) => ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;

    /// <summary>
    /// The smallest step Stripe charges in, in minor units: 10 for three-decimal currencies (Stripe charges them to two
    /// decimals, the last digit must be 0), 100 for ISK and UGX (whole units), else 1.
    /// </summary>
    public static long Step(string currency) =>
        Decimals(currency) == 3 ? 10 : WholeUnitsOnly.Contains(currency) ? 100 : 1;

    /// <summary>Minor units as people read them: 150000 USD → "USD 1,500.00", 1500 JPY → "JPY 1,500".</summary>
    public static string Format(long amount, string currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        return $"{currency} {Major(amount, currency)}";
    }

    /// <summary>The amount in major units, without the code: 50 USD → "0.50", 1010 KWD → "1.010".</summary>
    public static string Major(long amount, string currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var decimals = Decimals(currency);
        var major = amount / (decimal)Math.Pow(10, decimals);
        return major.ToString("N" + decimals, System.Globalization.CultureInfo.InvariantCulture);
    }
}
