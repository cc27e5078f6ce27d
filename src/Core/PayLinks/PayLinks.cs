using System.Security.Cryptography;
using System.Text;
using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.Core.PayLinks;

/// <summary>
/// An invoice's pay link as stored: a random <see cref="Nonce"/> (128 bits, base64url) and the SHA-256 of the token
/// it yields (<see cref="TokenHash"/>, the key of the table's PayLinks index). The token itself is never stored: it is
/// the HMAC of the nonce under the deployment's pay-link secret, so neither the table nor its stream, backups or the
/// events on the topics alone let anyone pay or read an invoice through its link.
/// </summary>
public sealed record PayLink(string Nonce, string TokenHash);

/// <summary>
/// Mints pay links, turns them into the payer's URL, and hashes a presented token for the lookup. The secret is
/// asked for only when a token is computed (minting, or an invoice shown with its link), so functions that never do
/// (voidInvoice, the account fees) need none.
/// </summary>
public sealed class PayLinkKeys
{
    public const string SecretVariable = "PAY_LINK_SECRET";
    public const string BaseVariable = "PAY_LINK_BASE";

    /// <summary>Shorter secrets are refused: the tokens are only as unguessable as the key.</summary>
    public const int MinimumSecretLength = 32;

    /// <summary>A SHA-256 HMAC in base64url without padding.</summary>
    public const int TokenLength = 43;

    private readonly Lazy<byte[]> _key;
    private readonly Lazy<Uri> _pageBase;

    /// <param name="secret">The HMAC key, read on first use (functions that only read links never need it).</param>
    /// <param name="pageBase">The pages' base URL (the API stage's, or a custom domain's), read on first use.</param>
    public PayLinkKeys(Func<string> secret, Func<Uri> pageBase)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(pageBase);
        _key = new(() => secret() is { Length: >= MinimumSecretLength } value
            ? Encoding.UTF8.GetBytes(value)
            : throw new InvalidOperationException($"{SecretVariable} must be at least {MinimumSecretLength} characters."));

        // Ending in a slash, so that "pay/..." appends to the base's path (a stage, say) instead of replacing it.
        _pageBase = new(() => pageBase() is var url && url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/"));
    }

    public static PayLinkKeys FromSettings(Func<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new PayLinkKeys(
            () => settings(SecretVariable) ?? throw new InvalidOperationException($"{SecretVariable} is not set."),
            () => new Uri(settings(BaseVariable) ?? throw new InvalidOperationException($"{BaseVariable} is not set.")));
    }

    public PayLink Mint()
    {
        var nonce = Base64Url(RandomNumberGenerator.GetBytes(16));
        return new PayLink(nonce, HashOf(TokenFor(nonce)));
    }

    /// <summary>The payer's page for this invoice, or null when it has no live link (a draft, a fee, a voided invoice).</summary>
    public Uri? UrlFor(Invoice invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        return invoice.PayLink is { } link ? UrlFor(link.Nonce) : null;
    }

    public Uri UrlFor(string nonce) => PageFor(TokenFor(nonce));

    /// <summary>The page a token opens (its pay link).</summary>
    public Uri PageFor(string token) => new(_pageBase.Value, "pay/" + token);

    /// <summary>
    /// Whether a presented token could be one of ours (43 base64url characters): anything else is refused before any
    /// lookup. That tells a guesser nothing they did not know; every well-formed token costs one identical lookup.
    /// </summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: TokenLength } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>What the PayLinks index is keyed by. Any string hashes, so a tampered token simply finds nothing.</summary>
    public static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private string TokenFor(string nonce) => Base64Url(HMACSHA256.HashData(_key.Value, Encoding.ASCII.GetBytes("pay-link/v1\n" + nonce)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
