using PayMyInvoice.Core.PayLinks;

namespace PayMyInvoice.Tests;

/// <summary>Pay-link keys for tests that build functions by hand: a fixed secret and an API-like base URL.</summary>
public static class TestPayLinks
{
    public const string Secret = "test-pay-link-secret-0123456789-abcdef";
    public static readonly Uri PageBase = new("https://api.example.test/dev/");

    public static PayLinkKeys Keys { get; } = new(() => Secret, () => PageBase);
}
