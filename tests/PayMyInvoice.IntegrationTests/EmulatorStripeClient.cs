using PayMyInvoice.StripeEmulator;
using Stripe;

namespace PayMyInvoice.IntegrationTests;

/// <summary>The real Stripe.net client pointed at an emulator: no retries of its own, so each test sees every answer.</summary>
public static class EmulatorStripeClient
{
    public static StripeClient For(StripeEmulatorServer stripe) =>
        new(StripeEmulatorServer.ApiKey, httpClient: new SystemNetHttpClient(new HttpClient { Timeout = TimeSpan.FromSeconds(5) }, maxNetworkRetries: 0), apiBase: stripe.BaseUrl.ToString().TrimEnd('/'));
}
