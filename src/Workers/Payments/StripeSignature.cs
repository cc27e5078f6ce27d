using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PayMyInvoice.Workers.Payments;

/// <summary>
/// Stripe's webhook signature, as Stripe documents it: <c>Stripe-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;[,v1=...]</c>,
/// where each <c>v1</c> may be HMAC-SHA256(signing secret, "{t}.{raw body}"). Checked here instead of with Stripe.net
/// so the webhook runs as Native AOT; anything malformed (a <c>t</c> that is not a number, no <c>v1</c>, odd hex) is
/// simply not a valid signature.
/// </summary>
public static class StripeSignature
{
    public const long DefaultToleranceSeconds = 300;

    public static bool IsValid(ReadOnlySpan<byte> payload, string header, string secret, DateTimeOffset now, long toleranceSeconds = DefaultToleranceSeconds)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(secret);
        string? timestamp = null;
        var candidates = new List<byte[]>();
        foreach (var part in header.Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var (key, value) = (part[..equals].Trim(), part[(equals + 1)..].Trim());
            if (key == "t")
            {
                timestamp = value;
            }
            else if (key == "v1" && value.Length == 64 && TryFromHex(value) is { } signature)
            {
                candidates.Add(signature);
            }
        }

        if (candidates.Count == 0
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > toleranceSeconds)
        {
            return false;
        }

        var signed = new byte[timestamp!.Length + 1 + payload.Length];
        Encoding.ASCII.GetBytes(timestamp + ".", signed);
        payload.CopyTo(signed.AsSpan(timestamp.Length + 1));
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        var valid = false;
        foreach (var candidate in candidates)
        {
            // Every candidate is compared, in constant time, so timing says nothing about which one matched.
            valid |= CryptographicOperations.FixedTimeEquals(expected, candidate);
        }

        return valid;
    }

    private static byte[]? TryFromHex(string hex)
    {
        var bytes = new byte[hex.Length / 2];
        return Convert.FromHexString(hex, bytes, out _, out var written) == System.Buffers.OperationStatus.Done && written == bytes.Length ? bytes : null;
    }
}
