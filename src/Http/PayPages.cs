using System.Globalization;
using System.Net;
using System.Text;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.Http;

/// <summary>
/// The payer's pages behind a pay link: plain server-rendered HTML (no script, so it works without JavaScript), every
/// value HTML-encoded. The link is a secret, so the pages are never cached, never indexed, never framed, and send no
/// Referer (Stripe's page must not learn the token from it).
/// </summary>
public static class PayPages
{
    /// <summary>The page for an invoice found by its link. <paramref name="checkout"/> is the <c>checkout</c> query
    /// parameter Stripe's page sends the payer back with (<c>success</c> or <c>cancelled</c>).</summary>
    public static APIGatewayProxyResponse Invoice(Invoice invoice, string token, string? checkout, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var details = invoice.Details;
        var amount = Currencies.Format(details.Amount, details.Currency);
        var issuer = details.IssuerEmail ?? "The issuer";
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<p class=\"issuer\">{Html(issuer)} asks you to pay</p>");
        body.Append(CultureInfo.InvariantCulture, $"<h1>{Html(amount)}</h1>");
        body.Append("<dl>");
        body.Append(CultureInfo.InvariantCulture, $"<dt>For</dt><dd>{Html(details.Description)}</dd>");
        body.Append(CultureInfo.InvariantCulture, $"<dt>Due</dt><dd>{details.DueDate.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}</dd>");
        body.Append(CultureInfo.InvariantCulture, $"<dt>Status</dt><dd>{Html(StatusText(invoice.Status))}</dd>");
        body.Append("</dl>");
        var refresh = false;
        // Relative: from .../pay/{token} this posts to .../pay/{token}/checkout, whatever the stage or domain.
        string PayButton(string label) => $"<form method=\"post\" action=\"{Html(token)}/checkout\"><button type=\"submit\">{Html(label)}</button></form>";
        switch (invoice.Status)
        {
            case InvoiceStatus.Paid:
                body.Append("<p class=\"done\" role=\"status\">Paid. Thank you: a receipt is on its way to you by email.</p>");
                break;
            case InvoiceStatus.Processing when checkout == "success":
                body.Append("<p role=\"status\">Thank you. We are confirming your payment with the bank; this page updates by itself.</p>");
                refresh = true;
                break;
            case InvoiceStatus.Processing when invoice.Payment?.Checkout is { } session && session.ExpiresAt - Core.PayLinks.CheckoutService.ReuseMargin > now:
                body.Append("<p role=\"status\">A payment for this invoice was started and not finished.</p>");
                body.Append(PayButton("Continue to payment"));
                break;
            case InvoiceStatus.Processing or InvoiceStatus.RequiresAction:
                body.Append("<p role=\"status\">A payment for this invoice is under way; this page updates by itself.</p>");
                refresh = true;
                break;
            default: // open, payment_failed
                if (invoice.Status == InvoiceStatus.PaymentFailed)
                {
                    body.Append(CultureInfo.InvariantCulture, $"<p class=\"problem\" role=\"alert\">The last payment did not go through. {Html(PaymentFailureMessages.For(invoice.Payment?.FailureCode))}</p>");
                }
                else if (checkout == "cancelled")
                {
                    body.Append("<p role=\"status\">You left the payment page; nothing was charged.</p>");
                }

                body.Append(PayButton($"Pay {amount}"));
                body.Append("<p class=\"small\">You will pay on Stripe's secure payment page.</p>");
                break;
        }

        return Page(200, $"Invoice: {amount}", body.ToString(), refresh);
    }

    /// <summary>The same page for a token nobody has and for one that no longer works (voided, deleted).</summary>
    public static APIGatewayProxyResponse NotFound() => Page(
        404,
        "Link not valid",
        "<h1>This pay link is not valid</h1><p>It may have been mistyped, or the invoice was cancelled. Ask the sender for a new link.</p>",
        refresh: false);

    public static APIGatewayProxyResponse Unavailable() => WithHeader(
        Page(503, "Try again shortly", "<h1>Payment is unavailable right now</h1><p>Nothing was charged. Please try again in a few minutes.</p>", refresh: false),
        "Retry-After",
        "60");

    /// <summary>A 303, so the browser follows it with a GET (to Stripe's page, or back to the pay link's).</summary>
    public static APIGatewayProxyResponse SeeOther(Uri location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return WithHeader(Page(303, "Redirecting", $"<p><a href=\"{Html(location.AbsoluteUri)}\">Continue</a></p>", refresh: false), "Location", location.AbsoluteUri);
    }

    private static string StatusText(InvoiceStatus status) => status switch
    {
        InvoiceStatus.Paid => "Paid",
        InvoiceStatus.Processing or InvoiceStatus.RequiresAction => "Payment in progress",
        InvoiceStatus.PaymentFailed => "Payment failed",
        _ => "Awaiting payment",
    };

    private static APIGatewayProxyResponse Page(int statusCode, string title, string content, bool refresh) => new()
    {
        StatusCode = statusCode,
        Headers = new(StringComparer.OrdinalIgnoreCase)
        {
            ["Content-Type"] = "text/html; charset=utf-8",
            ["Cache-Control"] = "no-store",
            ["Referrer-Policy"] = "no-referrer",
            ["X-Robots-Tag"] = "noindex",
            ["X-Content-Type-Options"] = "nosniff",
            ["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
        },
        Body = $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            {(refresh ? "<meta http-equiv=\"refresh\" content=\"5\">" : "")}
            <title>{Html(title)} · PayMyInvoice</title>
            <style>{Style}</style>
            </head>
            <body><main>{content}</main><footer>PayMyInvoice</footer></body>
            </html>
            """,
    };

    private const string Style =
        "body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#f4f5f7;margin:0;padding:2rem 1rem}"
        + "main{max-width:28rem;margin:0 auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 4px #0002}"
        + "h1{font-size:2rem;margin:.25rem 0 1rem}.issuer{color:#444;margin:0}dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}"
        + "dt{color:#444}dd{margin:0}button{font:inherit;font-weight:600;width:100%;padding:.75rem;border:0;border-radius:8px;"
        + "background:#3a3ad6;color:#fff;cursor:pointer}button:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}"
        + ".done{color:#0a6b2d;font-weight:600}.problem{color:#a3140f}.small{font-size:.875rem;color:#444}"
        + "footer{text-align:center;color:#555;font-size:.875rem;margin-top:1rem}";

    private static APIGatewayProxyResponse WithHeader(APIGatewayProxyResponse response, string name, string value)
    {
        response.Headers![name] = value;
        return response;
    }

    private static string Html(string text) => WebUtility.HtmlEncode(text);
}
