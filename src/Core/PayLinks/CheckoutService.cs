using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.Core.PayLinks;

/// <summary>
/// The payer pressed Pay on the pay link's page: send them to a Stripe Checkout Session for the invoice. At most one
/// open session per invoice: a second press (or a second tab) is sent to the same one, a paid invoice or one whose
/// payment is under way another way gets none, and the amount and currency always come from the stored invoice.
/// </summary>
public sealed class CheckoutService(IInvoiceStore store, ICheckoutGateway checkout, TimeProvider time)
{
    /// <summary>Stripe's shortest allowed session (30 minutes) and a minute of slack: a payer who walks away blocks the invoice no longer.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(31);

    /// <summary>A session this close to its expiry is not handed out again: the payer could not finish in time.</summary>
    public static readonly TimeSpan ReuseMargin = TimeSpan.FromMinutes(2);

    /// <param name="page">The pay link's page (the token's URL): where Stripe sends the payer back.</param>
    public async Task<CheckoutStart> StartAsync(string token, Uri page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (await store.FindByPayLinkAsync(PayLinkKeys.HashOf(token), cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return CheckoutStart.NotFound;
        }

        // A lost race (another press, the owner voiding) is decided again on what was written.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await store.GetAsync(found.UserId, found.InvoiceId, cancellationToken).ConfigureAwait(false) is not { PayLink: not null } invoice)
            {
                return CheckoutStart.NotFound; // deleted or voided since the link was read
            }

            var now = time.GetUtcNow();
            if (invoice is { Status: InvoiceStatus.Processing, Payment.Checkout: { } open } && open.ExpiresAt - ReuseMargin > now)
            {
                return CheckoutStart.RedirectTo(new Uri(open.Url));
            }

            if (invoice.Status is not (InvoiceStatus.Open or InvoiceStatus.PaymentFailed))
            {
                return CheckoutStart.BackToPage; // paid, or a payment under way: the page says which
            }

            var request = RequestFor(invoice, page, now);
            var session = await checkout.CreateSessionAsync(request, cancellationToken).ConfigureAwait(false);
            var update = await store.UpdateAsync(invoice.UserId, invoice.InvoiceId, current =>
            {
                if (current.Version != invoice.Version)
                {
                    return current; // changed since this session was made for it: decide again
                }

                var paying = current.MoveTo(InvoiceStatus.Processing, "paid");
                return paying.Failure ?? (Result<Invoice>)(paying.Value! with
                {
                    Payment = new PaymentAttempt(request.PaymentId, PaymentMethodId: null) { Checkout = session },
                });
            }, time, cancellationToken, attempts: 1).ConfigureAwait(false);
            if (update.Written)
            {
                return CheckoutStart.RedirectTo(new Uri(session.Url));
            }
        }

        throw new Idempotency.RetryLaterException("The invoice kept changing while a Checkout Session was made for it.");
    }

    /// <summary>
    /// Everything is derived from the invoice's version, and the expiry from the minute, so that two presses at the same
    /// moment send Stripe the same request under the same idempotency key and get the same session back.
    /// </summary>
    private static CheckoutRequest RequestFor(Invoice invoice, Uri page, DateTimeOffset now)
    {
        var paymentId = "pay_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{invoice.UserId}\n{invoice.InvoiceId}\ncheckout\n{invoice.Version.ToString(CultureInfo.InvariantCulture)}")))[..32];
        var minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        return new CheckoutRequest(
            paymentId,
            invoice.UserId,
            invoice.InvoiceId,
            invoice.Details.Amount,
            invoice.Details.Currency,
            invoice.Details.Description,
            invoice.Details.PayerEmail.Length > 0 ? invoice.Details.PayerEmail : null,
            new Uri(page.AbsoluteUri + "?checkout=success"),
            new Uri(page.AbsoluteUri + "?checkout=cancelled"),
            minute + SessionLifetime);
    }
}

/// <summary>Where the payer goes after pressing Pay.</summary>
public sealed record CheckoutStart(CheckoutStartKind Kind, Uri? Url = null)
{
    public static readonly CheckoutStart NotFound = new(CheckoutStartKind.NotFound);
    public static readonly CheckoutStart BackToPage = new(CheckoutStartKind.BackToPage);

    public static CheckoutStart RedirectTo(Uri url) => new(CheckoutStartKind.Redirect, url);
}

public enum CheckoutStartKind
{
    /// <summary>To Stripe's Checkout page (a new session, or the invoice's open one).</summary>
    Redirect,

    /// <summary>Back to the pay link's page, which shows why there is nothing to pay (paid, or a payment under way).</summary>
    BackToPage,

    /// <summary>No invoice has a live link with this token.</summary>
    NotFound,
}
