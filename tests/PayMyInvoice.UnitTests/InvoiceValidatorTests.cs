using PayMyInvoice.Core;
using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.UnitTests;

public sealed class InvoiceValidatorTests
{
    internal static InvoiceInput Valid() => new()
    {
        PayerEmail = "payer@example.com",
        Description = "Consulting",
        Amount = 1500,
        Currency = "usd",
        DueDate = "2026-12-31",
    };

    [Fact]
    public void A_valid_invoice_is_accepted_with_the_currency_upper_cased_and_no_status()
    {
        var result = Validate(Valid());
        Assert.True(result.IsSuccess);
        Assert.Equal("USD", result.Value.Details.Currency);
        Assert.Equal(new DateOnly(2026, 12, 31), result.Value.Details.DueDate);
        Assert.Null(result.Value.Status);
    }

    [Fact]
    public void Every_missing_required_field_is_reported_at_once()
    {
        var result = Validate(new InvoiceInput());
        Assert.Equal(
            ["amount", "currency", "description", "dueDate", "payerEmail"],
            result.Failure!.Details!.Where(d => d.Code == "required").Select(d => d.Field).Order());
    }

    [Theory]
    [InlineData(0, "out_of_range")]
    [InlineData(1, "below_minimum")]
    [InlineData(49, "below_minimum")]
    [InlineData(50, null)]
    [InlineData(99_999_999, null)]
    [InlineData(100_000_000, "out_of_range")]
    [InlineData(-5, "out_of_range")]
    public void A_USD_amount_must_be_from_Stripes_minimum_50_to_99_999_999_minor_units(long amount, string? code)
    {
        var result = Validate(Valid() with { Amount = amount });
        Assert.Equal(code is null, result.IsSuccess);
        if (code is not null)
        {
            Assert.Contains(result.Failure!.Details!, d => d.Field == "amount" && d.Code == code);
        }
    }

    [Theory]
    [InlineData("US")]
    [InlineData("USDX")]
    [InlineData("XYZ")]
    [InlineData("12$")]
    public void An_unknown_currency_is_rejected(string currency) =>
        Assert.Contains(Validate(Valid() with { Currency = currency }).Failure!.Details!, d => d.Field == "currency");

    [Theory]
    [InlineData("2026-02-30")]
    [InlineData("31/12/2026")]
    [InlineData("2026-12-31T00:00:00Z")]
    public void The_due_date_must_be_an_ISO_calendar_date(string dueDate) =>
        Assert.Contains(Validate(Valid() with { DueDate = dueDate }).Failure!.Details!, d => d.Field == "dueDate" && d.Code == "invalid_format");

    [Theory]
    [InlineData("payer")]
    [InlineData("payer@")]
    [InlineData("@example.com")]
    [InlineData("pay er@example.com")]
    [InlineData("a@b@example.com")]
    [InlineData("payer@example.")]
    public void A_payer_email_must_look_like_an_address(string email) =>
        Assert.Contains(Validate(Valid() with { PayerEmail = email }).Failure!.Details!, d => d.Field == "payerEmail");

    [Fact]
    public void Line_items_must_add_up_to_the_amount()
    {
        var items = new[] { new LineItemInput("Design", 2, 500), new LineItemInput("Build", 1, 500) };
        Assert.True(Validate(Valid() with { LineItems = items }).IsSuccess);
        var mismatch = Validate(Valid() with { LineItems = items, Amount = 1600 });
        Assert.Contains(mismatch.Failure!.Details!, d => d.Field == "amount" && d.Code == "mismatch");
    }

    [Fact]
    public void A_bad_line_item_is_named_by_its_index()
    {
        var items = new[] { new LineItemInput("Design", 1, 1500), new LineItemInput("", 0, -1) };
        var fields = Validate(Valid() with { LineItems = items }).Failure!.Details!.Select(d => d.Field).ToList();
        Assert.Contains("lineItems[1].description", fields);
        Assert.Contains("lineItems[1].quantity", fields);
        Assert.Contains("lineItems[1].unitAmount", fields);
    }

    [Theory]
    [InlineData("draft", true)]
    [InlineData("open", true)]
    [InlineData("paid", false)]
    [InlineData("processing", false)]
    [InlineData("OPEN", false)]
    public void A_client_may_only_ask_for_draft_or_open(string status, bool valid) =>
        Assert.Equal(valid, Validate(Valid() with { Status = status }).IsSuccess);

    [Fact]
    public void Overlong_text_is_rejected()
    {
        var result = Validate(Valid() with { Description = new string('x', 1001), Attachment = new string('y', 1025) });
        Assert.Equal(["attachment", "description"], result.Failure!.Details!.Where(d => d.Code == "too_long").Select(d => d.Field).Order());
    }

    [Theory]
    [InlineData("private/owner-1/invoice-17.pdf", true)]
    [InlineData("private/owner-1/2026/11/scan.png", true)]
    [InlineData("private/owner-2/invoice-17.pdf", false)]
    [InlineData("private/owner-1/", false)]
    [InlineData("private/owner-1/../owner-2/x.pdf", false)]
    [InlineData("private/owner-1//x.pdf", false)]
    [InlineData("private/owner-10/x.pdf", false)]
    [InlineData("uploads/invoice-17.pdf", false)]
    [InlineData("private/owner-1/a\u0000b", false)]
    public void An_attachment_must_be_the_owners_own_upload(string key, bool valid)
    {
        var result = Validate(Valid() with { Attachment = key });
        Assert.Equal(valid, result.IsSuccess);
        if (!valid)
        {
            Assert.Equal("not_own_upload", Assert.Single(result.Failure!.Details!).Code);
        }
    }

    private static Result<(InvoiceDetails Details, InvoiceStatus? Status)> Validate(InvoiceInput input) => InvoiceValidator.Validate(input, "owner-1");
}
