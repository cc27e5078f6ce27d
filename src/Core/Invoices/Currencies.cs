namespace PayMyInvoice.Core.Invoices;

/// <summary>Active ISO 4217 codes. Invariant globalization (AOT) leaves no culture data to ask, so the list lives here.</summary>
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

    private static readonly HashSet<string> ZeroDecimal = new(
        "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".Split(' '), StringComparer.Ordinal);

    private static readonly HashSet<string> ThreeDecimal = new("BHD IQD JOD KWD LYD OMR TND".Split(' '), StringComparer.Ordinal);

    public static bool IsKnown(string code) => Codes.Contains(code);

    /// <summary>Minor units as people read them: 150000 USD → "USD 1,500.00", 1500 JPY → "JPY 1,500".</summary>
    public static string Format(long amount, string currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var decimals = ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;
        var major = amount / (decimal)Math.Pow(10, decimals);
        return $"{currency} {major.ToString("N" + decimals, System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
