using System.Security.Cryptography;
using System.Text;

namespace PayMyInvoice.Core.Requests;

/// <summary>
/// A request made with an <c>Idempotency-Key</c>, remembered for <see cref="RememberedRequests.Lifetime"/> with the hash
/// of what was asked and the first answer, so that the same key and request answer that again and start nothing new.
/// It is written in the same transaction as the invoice the request wrote, and only then: a refused request (a 400, a
/// 409) is not remembered, so a corrected retry with the same key works, as with Stripe.
/// </summary>
/// <param name="UserId">Keys are scoped per user: another user's key never answers this user's request.</param>
/// <param name="KeyHash">SHA-256 (hex) of the client's key, so the stored id has a bounded length and no raw key.</param>
/// <param name="RequestHash">SHA-256 (hex) of method, path and body (<see cref="RememberedRequests.HashOf"/>).</param>
/// <param name="Response">The first answer, as sent.</param>
public sealed record RememberedRequest(string UserId, string KeyHash, string RequestHash, RememberedResponse Response, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>A record past its expiry is forgotten, even before the table's TTL deletes it.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt <= now;
}

/// <summary>An HTTP answer as the client got it: status, body and the one header that varies (<c>Location</c>).</summary>
public sealed record RememberedResponse(int StatusCode, string Body, string? Location);

/// <summary>The rules of <c>Idempotency-Key</c>, Stripe's: at most 255 characters, kept 24 hours, scoped per user.</summary>
public static class RememberedRequests
{
    public const int MaxKeyLength = 255;

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>The code of the failure a use case answers when its write lost to a request with the same key.</summary>
    public const string KeyTakenCode = "idempotency_key_in_use";

    public static Failure KeyTaken() =>
        Failure.Conflict(KeyTakenCode, "Another request with this Idempotency-Key is being processed; retry it in a moment.");

    /// <summary>The key's problem, or null: 1 to 255 characters.</summary>
    public static FieldError? CheckKey(string key) =>
        key.Length is 0 or > MaxKeyLength
            ? new FieldError("Idempotency-Key", "invalid_format", $"The header must be 1 to {MaxKeyLength} characters.")
            : null;

    public static string KeyHashOf(string key) => Sha256(key);

    /// <summary>What makes two requests "the same": method, path (which names the invoice) and the body as read.</summary>
    public static string HashOf(string method, string path, string body) => Sha256($"{method.ToUpperInvariant()}\n{path}\n{body}");

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
