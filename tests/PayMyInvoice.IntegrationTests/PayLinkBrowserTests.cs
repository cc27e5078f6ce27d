using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Local;
using PayMyInvoice.Tests;
using static Microsoft.Playwright.Assertions;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// The payer's whole journey in a real (headless) chromium on the local pipeline: the link in the "new invoice" email
/// → the pay page → Pay → the emulator's hosted Checkout → a card → back → the page says what happened. Charges are
/// counted by the emulator, emails by maildev.
/// </summary>
[Collection(LocalServicesCollection.Name)]
public sealed partial class PayLinkBrowserTests(LocalServicesFixture local, BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private LocalPipeline _pipeline = null!;
    private DynamoDbInvoiceStore _store = null!;
    private IBrowserContext _context = null!;
    private readonly HttpClient _http = new();
    private readonly string _payer = $"payer-{Guid.NewGuid():N}@example.com";
    private readonly string _issuer = $"issuer-{Guid.NewGuid():N}@example.com";

    public async Task InitializeAsync()
    {
        _pipeline = await local.StartPipelineAsync();
        await _pipeline.DrainAsync(CancellationToken.None);
        _store = new DynamoDbInvoiceStore(local.DynamoDb, _pipeline.Deployment.TableName("InvoicesTable"));
        _context = await browser.Browser.NewContextAsync();
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        _http.Dispose();
        await _pipeline.DisposeAsync();
    }

    [Fact]
    public async Task The_payer_follows_the_email_link_pays_by_card_and_the_page_says_paid()
    {
        var (id, page) = await OpenEmailLinkAsync("payer-page");
        await PayOnCheckoutAsync(page, "Visa, succeeds");

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("confirming your payment");
        await _pipeline.DrainAsync(CancellationToken.None); // the webhook settles it; the page refreshes by itself
        await Expect(page.GetByText("Paid. Thank you")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(browser.Screenshots, "pay-link-paid.png"), FullPage = true });

        Assert.Equal(InvoiceStatus.Paid, (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status);
        Assert.Single(_pipeline.Stripe.PaymentIntents, i => i.Metadata.GetValueOrDefault("invoiceId") == id && i.Status == "succeeded");
        Assert.Contains("Receipt: USD 1,500.00 paid", await SubjectsAsync(_payer));
        Assert.Equal(["Paid: Website redesign (USD 1,500.00)"], await SubjectsAsync(_issuer));
    }

    [Fact]
    public async Task A_declined_card_is_told_on_Stripes_page_and_going_back_charges_nothing()
    {
        var (id, page) = await OpenEmailLinkAsync(null);
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay USD 1,500.00" }).ClickAsync();
        await page.GetByLabel("declined (insufficient funds)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay USD 1,500.00" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("insufficient funds");

        await page.GetByRole(AriaRole.Link, new() { Name = "Back" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(browser.Screenshots, "pay-link-declined-back.png"), FullPage = true });
        await _pipeline.DrainAsync(CancellationToken.None);

        Assert.Equal(InvoiceStatus.Processing, (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status); // the session stays open for another card
        Assert.DoesNotContain(_pipeline.Stripe.PaymentIntents, i => i.Metadata.GetValueOrDefault("invoiceId") == id && i.Status == "succeeded");
        Assert.Equal(["Invoice for USD 1,500.00: Website redesign"], await SubjectsAsync(_payer));
        Assert.Empty(await SubjectsAsync(_issuer));
    }

    [Fact]
    public async Task A_card_that_needs_3D_Secure_is_authenticated_on_Stripes_page_and_the_invoice_is_paid()
    {
        var (id, page) = await OpenEmailLinkAsync(null);
        await PayOnCheckoutAsync(page, "needs 3-D Secure authentication");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "3-D Secure authentication" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete authentication" }).ClickAsync();

        await _pipeline.DrainAsync(CancellationToken.None);
        await Expect(page.GetByText("Paid. Thank you")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        Assert.Equal(InvoiceStatus.Paid, (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status);
        Assert.Single(_pipeline.Stripe.PaymentIntents, i => i.Metadata.GetValueOrDefault("invoiceId") == id && i.Status == "succeeded");
        Assert.Contains("Receipt: USD 1,500.00 paid", await SubjectsAsync(_payer));
        Assert.Equal(["Paid: Website redesign (USD 1,500.00)"], await SubjectsAsync(_issuer));
    }

    /// <summary>Issues an invoice, takes the link from the payer's email (not from the API) and opens it.</summary>
    private async Task<(string Id, IPage Page)> OpenEmailLinkAsync(string? screenshot)
    {
        var invoice = ApiCalls.NewInvoice(amount: 150000);
        invoice["payerEmail"] = _payer;
        invoice["issuerEmail"] = _issuer;
        invoice["description"] = "Website redesign";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_pipeline.Gateway.BaseUrl, "/invoices")) { Content = new StringContent(invoice.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add(LocalApiGateway.IdentityHeader, ApiCalls.Alice);
        var id = (await (await _http.SendAsync(request)).Content.ReadFromJsonAsync<JsonNode>())!["invoiceId"]!.GetValue<string>();
        await _pipeline.DrainAsync(CancellationToken.None);

        var email = Assert.Single(await local.InboxAsync(_payer))["text"]!.GetValue<string>();
        var link = PayOnline().Match(email).Groups[1].Value;
        var page = await _context.NewPageAsync();
        await page.GotoAsync(link);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "USD 1,500.00" })).ToBeVisibleAsync();
        await Expect(page.GetByText($"{_issuer} asks you to pay")).ToBeVisibleAsync();
        await Expect(page.Locator("dd").First).ToHaveTextAsync("Website redesign");
        if (screenshot is not null)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(browser.Screenshots, screenshot + ".png"), FullPage = true });
        }

        return (id, page);
    }

    private static async Task PayOnCheckoutAsync(IPage page, string card)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay USD 1,500.00" }).ClickAsync();
        await page.GetByLabel(card).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay USD 1,500.00" }).ClickAsync();
    }

    private async Task<List<string>> SubjectsAsync(string address) =>
        (await local.InboxAsync(address)).Select(m => m["subject"]!.GetValue<string>()).Order().ToList();

    [GeneratedRegex(@"Pay online: (\S+)")]
    private static partial Regex PayOnline();
}
