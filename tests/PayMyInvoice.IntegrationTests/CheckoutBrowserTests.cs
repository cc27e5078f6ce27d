using Microsoft.Playwright;
using PayMyInvoice.StripeEmulator;
using Stripe;
using Stripe.Checkout;
using static Microsoft.Playwright.Assertions;

namespace PayMyInvoice.IntegrationTests;

/// <summary>The emulator's hosted Checkout page, used as a person uses it: in a real (headless) chromium, by its labels and buttons.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CheckoutBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private StripeEmulatorServer _stripe = null!;
    private StripeClient _client = null!;
    private CheckoutListener _merchant = null!;
    private IBrowserContext _context = null!;

    public async Task InitializeAsync()
    {
        _stripe = await StripeEmulatorServer.StartAsync();
        _client = EmulatorStripeClient.For(_stripe);
        _merchant = await CheckoutListener.StartAsync();
        _stripe.AddWebhookEndpoint(new Uri(_merchant.BaseUrl, "webhook"), CheckoutListener.Secret);
        _context = await browser.Browser.NewContextAsync();
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await _stripe.DisposeAsync();
        await _merchant.DisposeAsync();
    }

    [Fact]
    public async Task A_payer_chooses_the_3D_Secure_card_pays_authenticates_and_lands_on_the_success_page()
    {
        var session = await _client.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            LineItems = [new SessionLineItemOptions { Quantity = 1, PriceData = new SessionLineItemPriceDataOptions { Currency = "eur", UnitAmount = 12_550, ProductData = new SessionLineItemPriceDataProductDataOptions { Name = "Invoice INV-42: website redesign" } } }],
            SuccessUrl = _merchant.SuccessUrl,
            CancelUrl = _merchant.CancelUrl,
            CustomerEmail = "payer@example.com",
            PaymentIntentData = new SessionPaymentIntentDataOptions { Metadata = new Dictionary<string, string> { ["invoiceId"] = "inv_42" } },
        });
        var page = await _context.NewPageAsync();

        await page.GotoAsync(session.Url);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pay EUR 125.50" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync("Invoice INV-42: website redesign");

        // A declined card first: the error is announced on the page and the payer can choose again.
        await page.GetByLabel("declined (insufficient funds)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay EUR 125.50" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Your card has insufficient funds.");
        await page.ScreenshotAsync(new() { Path = Path.Combine(browser.Screenshots, "checkout-declined.png"), FullPage = true });
        Assert.Equal(0, _stripe.Charges);

        await page.GetByLabel("needs 3-D Secure authentication").CheckAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(browser.Screenshots, "checkout-hosted-page.png"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay EUR 125.50" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "3-D Secure authentication" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(browser.Screenshots, "checkout-3ds.png"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete authentication" }).ClickAsync();

        await page.WaitForURLAsync($"{_merchant.BaseUrl}success?session_id={session.Id}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank you for your payment" })).ToBeVisibleAsync();
        var paid = await _client.V1.Checkout.Sessions.GetAsync(session.Id);
        Assert.Equal(("complete", "paid"), (paid.Status, paid.PaymentStatus));
        Assert.Equal(1, _stripe.Charges);
        Assert.Equal("inv_42", Assert.Single(_stripe.PaymentIntents).Metadata["invoiceId"]);
        await _merchant.WaitForEventAsync("checkout.session.completed", session.Id);
    }
}
