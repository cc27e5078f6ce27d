using System.Globalization;
using PayMyInvoice.Contracts.Http;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.PayLinks;

namespace PayMyInvoice.Api.Invoices;

/// <summary>Between the HTTP shapes (Contracts) and the domain (Core).</summary>
public static class InvoiceMapping
{
    public static InvoiceInput ToInput(this InvoiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new InvoiceInput
        {
            PayerEmail = request.PayerEmail,
            IssuerEmail = request.IssuerEmail,
            Description = request.Description,
            Amount = request.Amount,
            Currency = request.Currency,
            DueDate = request.DueDate,
            LineItems = request.LineItems?.Select(item => item is null ? null! : new LineItemInput(item.Description, item.Quantity, item.UnitAmount)).ToList(),
            Attachment = request.Attachment,
            Status = request.Status,
            Version = request.Version,
        };
    }

    /// <param name="payLinks">Null where the pay link must not be written (a response remembered for Idempotency-Key is stored).</param>
    public static InvoiceResponse ToResponse(this Invoice invoice, PayLinkKeys? payLinks)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var details = invoice.Details;
        return new InvoiceResponse
        {
            InvoiceId = invoice.InvoiceId,
            UserId = invoice.UserId,
            PayerEmail = details.PayerEmail,
            IssuerEmail = details.IssuerEmail,
            Description = details.Description,
            Amount = details.Amount,
            Currency = details.Currency,
            DueDate = details.DueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            LineItems = details.LineItems.Count == 0
                ? null
                : details.LineItems.Select(line => new LineItemDto { Description = line.Description, Quantity = line.Quantity, UnitAmount = line.UnitAmount }).ToList(),
            Attachment = details.Attachment,
            Status = invoice.Status.ToName(),
            Version = invoice.Version,
            CreatedAt = invoice.CreatedAt,
            UpdatedAt = invoice.UpdatedAt,
            Payment = invoice.Payment is { } payment ? payment.ToDto(invoice.Status) : null,
            PayUrl = payLinks?.UrlFor(invoice)?.AbsoluteUri,
        };
    }

    /// <summary>
    /// The payment as clients see it. The client secret and next action only while the invoice requires action: they
    /// are for finishing 3-D Secure, and useless (so never shown) in any other state.
    /// </summary>
    public static PaymentDto ToDto(this PaymentAttempt payment, InvoiceStatus status)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var requiresAction = status == InvoiceStatus.RequiresAction;
        return new PaymentDto
        {
            PaymentId = payment.PaymentId,
            FailureCode = payment.FailureCode,
            FailureMessage = payment.FailureMessage,
            ClientSecret = requiresAction ? payment.ClientSecret : null,
            NextAction = requiresAction && payment.NextAction is { } next
                ? new NextActionDto
                {
                    Type = next.Type,
                    RedirectToUrl = next.RedirectUrl is { } url ? new RedirectToUrlDto { Url = url, ReturnUrl = next.ReturnUrl } : null,
                }
                : null,
        };
    }

    public static PaymentResponse ToPaymentResponse(this Invoice invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        return new PaymentResponse { InvoiceId = invoice.InvoiceId, PaymentId = invoice.Payment!.PaymentId, Status = invoice.Status.ToName() };
    }

    public static InvoiceListResponse ToResponse(this InvoicePage page, PayLinkKeys payLinks)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new InvoiceListResponse
        {
            Items = page.Items.Select(invoice => invoice.ToResponse(payLinks)).ToList(),
            NextCursor = page.LastInvoiceId is { } last ? PageCursor.Encode(last) : null,
        };
    }
}
