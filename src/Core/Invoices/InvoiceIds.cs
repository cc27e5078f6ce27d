using System.Buffers.Text;
using System.Text;

namespace PayMyInvoice.Core.Invoices;

/// <summary>
/// Invoice ids are <c>inv_</c> + a version-7 GUID: time-ordered, so a user's invoices list in creation order
/// under the table's sort key. A malformed id is simply not found; it never reaches the store.
/// </summary>
public static class InvoiceIds
{
    private const string Prefix = "inv_";
    private const string FeePrefix = "fee_";

    public static string New() => Prefix + Guid.CreateVersion7().ToString("N");

    /// <summary>Account fees are items of the same table, billed by the same pipeline, under their own prefix.</summary>
    public static string NewFee() => FeePrefix + Guid.CreateVersion7().ToString("N");

    public static bool IsWellFormed(string? id) => HasForm(id, Prefix);

    public static bool IsWellFormedFee(string? id) => HasForm(id, FeePrefix);

    public static bool IsFee(string id) => id.StartsWith(FeePrefix, StringComparison.Ordinal);

    private static bool HasForm(string? id, string prefix) =>
        id is { Length: 36 } && id.StartsWith(prefix, StringComparison.Ordinal) && id.AsSpan(4).ContainsOnlyHexLowercase();

    private static bool ContainsOnlyHexLowercase(this ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiHexDigitLower(c)) // 0-9 and a-f
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>List cursors: opaque to clients (base64url), carrying the last invoice id of the page before.</summary>
public static class PageCursor
{
    public static string Encode(string lastInvoiceId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastInvoiceId));

    public static bool TryDecode(string cursor, out string lastInvoiceId)
    {
        lastInvoiceId = "";
        if (cursor.Length > 64)
        {
            return false;
        }

        var bytes = new byte[Base64Url.GetMaxDecodedLength(cursor.Length)];
        if (Base64Url.DecodeFromChars(cursor, bytes, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        var id = Encoding.UTF8.GetString(bytes, 0, written);
        if (!InvoiceIds.IsWellFormed(id))
        {
            return false;
        }

        lastInvoiceId = id;
        return true;
    }
}
