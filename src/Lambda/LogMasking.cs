using System.Buffers;
using System.Text.RegularExpressions;

namespace PayMyInvoice.Lambda;

/// <summary>
/// What a log line may not carry, masked in one place (the <see cref="JsonLogger"/> applies it to the message, every
/// extra field value and the exception text):
/// <list type="bullet">
/// <item>Email addresses keep their first character and their domain: <c>payer@example.com</c> → <c>p***@example.com</c>
/// (the domain tells a support engineer which provider bounced; the mailbox is personal data).</item>
/// <item>Payment-method, token and source ids (<c>pm_</c>, <c>tok_</c>, <c>src_</c>, any body) and card ids
/// (<c>card_</c> followed by 10+ letters or digits) keep their prefix and last 4: <c>pm_card_visa</c> →
/// <c>pm_****visa</c>. <c>card_</c> needs the long body because Stripe's error codes begin with it too
/// (<c>card_declined</c>, <c>card_velocity_exceeded</c>), and those are what a failure must be traced by.</item>
/// <item>Secrets are masked whole, keeping only what kind of secret it was: API keys (<c>sk_live_</c>,
/// <c>sk_test_</c>, <c>rk_live_</c>, <c>rk_test_</c>), webhook signing secrets (<c>whsec_</c>), client secrets
/// (<c>pi_…_secret_…</c>, <c>seti_…_secret_…</c>: the id before <c>_secret_</c> stays), the
/// <c>Stripe-Signature</c> header's value and any <c>v1=</c>/<c>v0=</c> signature, and pay-link tokens (after
/// <c>pay/</c>, or standing alone: 43 base64url characters mixing upper case, lower case and digits).</item>
/// <item>Kept as they are: PaymentIntent (<c>pi_</c>), Checkout Session (<c>cs_</c>), event (<c>evt_</c>), charge and
/// refund ids, our invoice and payment ids. None lets anyone pay, read card data or impersonate Stripe, and they
/// are what a payment is traced by across our logs, Stripe's dashboard and the table.</item>
/// </list>
/// The patterns are one source-generated regex (no reflection, no runtime compilation: trim- and AOT-safe), and a
/// text too short to hold a pay-link token and without any of <c>@ _ =</c> is returned untouched without running it.
/// </summary>
public static partial class LogMasking
{
    /// <summary>What the masked part of a value is replaced by.</summary>
    public const string Mask4 = "****";

    /// <summary>Every pattern but the pay-link token needs one of these; the token needs 43 characters.</summary>
    private static readonly SearchValues<char> Candidates = SearchValues.Create("@_=");

    private const int TokenLength = 43;

    [GeneratedRegex(
        """
        (?<email>(?<![A-Za-z0-9._%+-])(?<first>[A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@(?<domain>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+))
        |(?<keep>\b(?:sk|rk)_(?:live|test)_)[A-Za-z0-9]+
        |(?<keep>\bwhsec_)[A-Za-z0-9+/=_-]+
        |(?<keep>_secret_)[A-Za-z0-9]+
        |(?<keep>(?i:stripe-signature)["']?\s*[:=]\s*\[?\s*["']?)[^\s"'\]]+
        |(?<keep>\bv[01]=)[0-9a-fA-F]{16,}
        |(?<keep>\bpay/)[A-Za-z0-9_-]{16,}
        |(?<token>(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]{0,42}[0-9])(?=[A-Za-z0-9_-]{0,42}[a-z])(?=[A-Za-z0-9_-]{0,42}[A-Z])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-]))
        |(?<prefix>\b(?:pm|tok|src)_)(?<body>[A-Za-z0-9_]+)
        |(?<prefix>\bcard_)(?<body>[A-Za-z0-9]{10,})(?![A-Za-z0-9_])
        """,
        RegexOptions.IgnorePatternWhitespace | RegexOptions.ExplicitCapture | RegexOptions.CultureInvariant)]
    private static partial Regex Sensitive();

    /// <summary>The text with every email, payment-method id and secret masked (see the class's rules).</summary>
    public static string Mask(string? text)
    {
        if (string.IsNullOrEmpty(text) || (text.Length < TokenLength && text.AsSpan().IndexOfAny(Candidates) < 0))
        {
            return text ?? "";
        }

        return Sensitive().Replace(text, static match =>
        {
            var groups = match.Groups;
            if (groups["email"].Success)
            {
                return groups["first"].Value + "***@" + groups["domain"].Value;
            }

            if (groups["keep"].Success)
            {
                return groups["keep"].Value + Mask4;
            }

            if (groups["token"].Success)
            {
                return Mask4;
            }

            var body = groups["body"].Value;
            return groups["prefix"].Value + Mask4 + (body.Length > 4 ? body[^4..] : "");
        });
    }
}
