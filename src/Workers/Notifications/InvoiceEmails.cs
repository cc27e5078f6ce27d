using System.Net;
using PayMyInvoice.Contracts.Events;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.Notifications;
using PayMyInvoice.Core.PayLinks;

namespace PayMyInvoice.Workers.Notifications;

/// <summary>
/// Who hears what: the payer when an invoice is issued (with the pay link), paid (a receipt), failed, or overdue; the
/// issuer, when the invoice names one, when it is paid, a payment fails, or the payer's bank asks for authentication
/// (PaymentActionRequired).
/// </summary>
public sealed class InvoiceEmails(PayLinkKeys payLinks, string domain)
{
    public IReadOnlyList<EmailMessage> For(InvoiceEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var invoice = evt.Invoice;
        if (InvoiceIds.IsFee(invoice.InvoiceId))
        {
            return []; // account fees are the account owner's own charges: shown in the app, not emailed
        }

        var amount = Currencies.Format(invoice.Amount, invoice.Currency);
        var payLink = invoice.PayLinkNonce is { } nonce ? payLinks.UrlFor(nonce) : null;
        // Chosen by the failure code from our own table, never the stored message, so no provider text can reach an email.
        var reason = PaymentFailureMessages.For(invoice.Payment?.FailureCode);
        var messages = new List<EmailMessage>();
        switch (evt.EventType)
        {
            case "InvoiceIssued":
                messages.Add(Email(evt, invoice.PayerEmail, $"Invoice for {amount}: {invoice.Description}",
                    $"You have a new invoice for {amount} ({invoice.Description}), due {invoice.DueDate}.", payLink));
                break;
            case "InvoiceOverdue":
                messages.Add(Email(evt, invoice.PayerEmail, $"Reminder: {amount} was due {invoice.DueDate}",
                    $"The invoice for {invoice.Description} ({amount}) was due {invoice.DueDate} and is still open.", payLink));
                break;
            case "PaymentSucceeded":
                messages.Add(Email(evt, invoice.PayerEmail, $"Receipt: {amount} paid",
                    $"Thank you: your payment of {amount} for {invoice.Description} was received.", null));
                AddIssuer(messages, evt, $"Paid: {invoice.Description} ({amount})", $"The invoice for {invoice.Description} ({amount}) has been paid.");
                break;
            case "PaymentActionRequired":
                // The owner only: the payer is finishing the payment in the owner's frontend right now. No secret in it.
                AddIssuer(messages, evt, $"Payment needs the payer's confirmation: {invoice.Description} ({amount})",
                    $"The payer's bank asks them to authenticate the payment of {amount} for {invoice.Description} (3-D Secure). "
                    + "The invoice is paid once they confirm it. If they cannot, you can ask for payment with another method, or void the invoice.");
                break;
            case "PaymentFailed":
                messages.Add(Email(evt, invoice.PayerEmail, $"Payment failed: {invoice.Description}",
                    $"Your payment of {amount} for {invoice.Description} did not go through. {reason}", payLink));
                AddIssuer(messages, evt, $"Payment failed: {invoice.Description} ({amount})", $"A payment of {amount} for {invoice.Description} did not go through. The payer was told: {reason}");
                break;
        }

        return messages;
    }

    private void AddIssuer(List<EmailMessage> messages, InvoiceEvent evt, string subject, string text)
    {
        if (evt.Invoice.IssuerEmail is { } issuer)
        {
            messages.Add(Email(evt, issuer, subject, text, null));
        }
    }

    private EmailMessage Email(InvoiceEvent evt, string to, string subject, string text, Uri? link)
    {
        var plain = link is null ? text : $"{text}\n\nPay online: {link}";
        var html = $"<p>{WebUtility.HtmlEncode(text)}</p>" + (link is null ? "" : $"<p><a href=\"{WebUtility.HtmlEncode(link.ToString())}\">Pay online</a></p>");
        return new EmailMessage(to, subject, plain + "\n\nPayMyInvoice", html, NotificationService.MessageIdFor(evt.EventId, to, domain));
    }
}
