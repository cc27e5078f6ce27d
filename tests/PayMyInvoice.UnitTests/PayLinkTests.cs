using Microsoft.Extensions.Time.Testing;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.PayLinks;
using PayMyInvoice.Http;
using PayMyInvoice.Tests;

namespace PayMyInvoice.UnitTests;

/// <summary>Pay-link tokens, the payer's page and the choice of Checkout Session, on in-memory parts.</summary>
public sealed class PayLinkTests
{
    private readonly InMemoryInvoiceStore _store = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 9, 0, 30, TimeSpan.Zero));
    private readonly FakeCheckout _checkout = new();
    private readonly FakePayments _payments = new();

    [Fact]
    public void A_token_is_256_bits_of_base64url_found_by_its_hash_and_different_for_every_invoice()
    {
        var first = TestPayLinks.Keys.Mint();
        var second = TestPayLinks.Keys.Mint();
        var token = Token(TestPayLinks.Keys.UrlFor(first.Nonce));

        Assert.True(PayLinkKeys.IsWellFormed(token));
        Assert.Equal(first.TokenHash, PayLinkKeys.HashOf(token));
        Assert.NotEqual(first.TokenHash, second.TokenHash);
        Assert.DoesNotContain(token, first.Nonce + first.TokenHash, StringComparison.Ordinal); // what is stored never reveals it
        Assert.StartsWith("https://api.example.test/dev/pay/", TestPayLinks.Keys.UrlFor(first.Nonce).AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_secret_makes_other_tokens_and_a_short_secret_is_refused()
    {
        var link = TestPayLinks.Keys.Mint();
        var other = new PayLinkKeys(() => new string('z', 40), () => TestPayLinks.PageBase);
        Assert.NotEqual(TestPayLinks.Keys.UrlFor(link.Nonce), other.UrlFor(link.Nonce));
        var weak = new PayLinkKeys(() => "short", () => TestPayLinks.PageBase);
        Assert.Throws<InvalidOperationException>(() => weak.Mint());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("ZlMCqkzYa-jc8aErpOwK8nEr5EpbNsWpAIHJkUgnpU")] // 42
    [InlineData("ZlMCqkzYa-jc8aErpOwK8nEr5EpbNsWpAIHJkUgnpUg=")] // padded
    [InlineData("ZlMCqkzYa+jc8aErpOwK8nEr5EpbNsWpAIHJkUgnpUg")] // base64, not base64url
    [InlineData("ZlMCqkzYa-jc8aErpOwK8nEr5EpbNsWpAIHJkUgnpÜg")]
    public void Only_43_base64url_characters_can_be_a_token(string? token) => Assert.False(PayLinkKeys.IsWellFormed(token));

    [Fact]
    public async Task Issuing_mints_a_link_voiding_drops_it_and_drafts_have_none()
    {
        var service = new InvoiceService(_store, _time, TestPayLinks.Keys);
        var open = (await service.CreateAsync(ApiCalls.Alice, Input("open"), default)).Value!;
        var draft = (await service.CreateAsync(ApiCalls.Alice, Input("draft"), default)).Value!;

        Assert.NotNull(open.PayLink);
        Assert.Null(draft.PayLink);
        Assert.Null(open.MoveTo(InvoiceStatus.Void, "voided").Value!.PayLink);
        Assert.NotNull(open.MoveTo(InvoiceStatus.Processing, "paid").Value!.PayLink); // kept while paying, and once paid
    }

    [Fact]
    public void The_page_encodes_what_the_issuer_wrote()
    {
        var invoice = Invoice(InvoiceStatus.Open) with { Details = Invoice(InvoiceStatus.Open).Details with { Description = "<script>alert(1)</script>" } };
        var page = PayPages.Invoice(invoice, new string('a', 43), null, _time.GetUtcNow());
        Assert.DoesNotContain("<script>", page.Body, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", page.Body, StringComparison.Ordinal);
        Assert.Equal("no-store", page.Headers!["Cache-Control"]);
    }

    [Fact]
    public async Task Pressing_Pay_twice_gives_one_session_from_the_stored_amount()
    {
        var (invoice, token) = await StoreAsync(InvoiceStatus.Open);
        var first = await Service().StartAsync(token, Page(token), Deadline, default);
        var second = await Service().StartAsync(token, Page(token), Deadline, default);

        Assert.Equal((CheckoutStartKind.Redirect, CheckoutStartKind.Redirect), (first.Kind, second.Kind));
        Assert.Equal(first.Url, second.Url);
        var request = Assert.Single(_checkout.Requests);
        Assert.Equal((invoice.Details.Amount, invoice.Details.Currency), (request.Amount, request.Currency));
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 9, 33, 0, TimeSpan.Zero), request.ExpiresAt); // the minute + 33, so concurrent presses agree
        var stored = (await _store.GetAsync(invoice.UserId, invoice.InvoiceId, default))!;
        Assert.Equal((InvoiceStatus.Processing, request.PaymentId, null), (stored.Status, stored.Payment!.PaymentId, stored.Payment.PaymentMethodId));
    }

    [Fact]
    public async Task A_session_about_to_expire_is_not_handed_out_again()
    {
        var (_, token) = await StoreAsync(InvoiceStatus.Open);
        await Service().StartAsync(token, Page(token), Deadline, default);
        _time.Advance(CheckoutService.SessionLifetime - TimeSpan.FromMinutes(1));

        var late = await Service().StartAsync(token, Page(token), Deadline, default);
        Assert.Equal(CheckoutStartKind.BackToPage, late.Kind); // the page says a payment is under way until Stripe expires it
        Assert.Single(_checkout.Requests);
    }

    [Theory]
    [InlineData(InvoiceStatus.Paid)]
    [InlineData(InvoiceStatus.RequiresAction)]
    public async Task A_paid_invoice_or_one_paying_another_way_gets_no_session(InvoiceStatus status)
    {
        var (_, token) = await StoreAsync(status);
        Assert.Equal(CheckoutStartKind.BackToPage, (await Service().StartAsync(token, Page(token), Deadline, default)).Kind);
        Assert.Empty(_checkout.Requests);
    }

    [Fact]
    public async Task An_unknown_token_gets_nothing()
    {
        await StoreAsync(InvoiceStatus.Open);
        Assert.Equal(CheckoutStartKind.NotFound, (await Service().StartAsync(new string('x', 43), Page("x"), Deadline, default)).Kind);
        Assert.Empty(_checkout.Requests);
    }

    [Fact]
    public async Task After_a_failed_payment_its_PaymentIntent_is_cancelled_before_Checkout_can_take_money()
    {
        var (_, token) = await StoreAsync(InvoiceStatus.PaymentFailed, new PaymentAttempt("pay_old", "pm_card_chargeDeclined", "pi_old", "card_declined"));
        await Service().StartAsync(token, Page(token), Deadline, default);
        Assert.Equal(["pi_old"], _payments.Cancelled);
        Assert.Single(_checkout.Requests);
    }

    [Fact]
    public async Task If_the_payer_completed_the_earlier_PaymentIntent_meanwhile_the_invoice_is_paid_by_it_and_no_session_opens()
    {
        _payments.Answer = CancelStatus.AlreadySucceeded;
        var (invoice, token) = await StoreAsync(InvoiceStatus.PaymentFailed, new PaymentAttempt("pay_old", "pm_card_visa", "pi_old", "authentication_required"));
        Assert.Equal(CheckoutStartKind.BackToPage, (await Service().StartAsync(token, Page(token), Deadline, default)).Kind);
        Assert.Empty(_checkout.Requests);
        Assert.Equal(InvoiceStatus.Paid, (await _store.GetAsync(invoice.UserId, invoice.InvoiceId, default))!.Status);
    }

    private DateTimeOffset Deadline => _time.GetUtcNow().AddSeconds(20);

    private CheckoutService Service() => new(_store, _checkout, _payments, new PaymentOutcomes(_store, _time), _time);

    private static Uri Page(string token) => new(TestPayLinks.PageBase, "pay/" + token);

    private static string Token(Uri url) => url.AbsoluteUri[(url.AbsoluteUri.LastIndexOf('/') + 1)..];

    private async Task<(Invoice Invoice, string Token)> StoreAsync(InvoiceStatus status, PaymentAttempt? payment = null)
    {
        var link = TestPayLinks.Keys.Mint();
        var invoice = Invoice(status) with { PayLink = link, Payment = payment };
        Assert.True(await _store.TryCreateAsync(invoice, default));
        return (invoice, Token(TestPayLinks.Keys.UrlFor(link.Nonce)));
    }

    private Invoice Invoice(InvoiceStatus status) => new()
    {
        InvoiceId = InvoiceIds.New(),
        UserId = ApiCalls.Alice,
        Details = new InvoiceDetails("payer@example.com", "Consulting", 150000, "USD", new DateOnly(2026, 12, 31), [], null, "owner@example.com"),
        Status = status,
        Version = 3,
        CreatedAt = _time.GetUtcNow(),
        UpdatedAt = _time.GetUtcNow(),
    };

    private static InvoiceInput Input(string status) => new()
    {
        PayerEmail = "payer@example.com",
        Description = "Consulting",
        Amount = 150000,
        Currency = "USD",
        DueDate = "2026-12-31",
        Status = status,
    };

    private sealed class FakeCheckout : ICheckoutGateway
    {
        public List<CheckoutRequest> Requests { get; } = [];

        public Task<CheckoutSessionRef> CreateSessionAsync(CheckoutRequest request, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult(new CheckoutSessionRef("cs_test_" + Requests.Count, $"https://checkout.example/{Requests.Count}", request.ExpiresAt));
        }
    }

    private sealed class FakePayments : IPaymentGateway
    {
        public CancelStatus Answer { get; set; } = CancelStatus.Canceled;

        public List<string> Cancelled { get; } = [];

        public Task<ChargeResult> ChargeAsync(ChargeRequest request, DateTimeOffset deadline, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("Checkout never charges a method itself");

        public Task<CancelResult> CancelAsync(string paymentIntentId, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            Cancelled.Add(paymentIntentId);
            return Task.FromResult(new CancelResult(Answer, paymentIntentId));
        }

        public Task<RefundResult> RefundAsync(string paymentIntentId, DateTimeOffset deadline, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not expected");
    }
}
