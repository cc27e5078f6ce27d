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
public sealed class CheckoutService(IInvoiceStore store, ICheckoutGateway checkout, IPaymentGateway payments, PaymentOutcomes outcomes, TimeProvider time)
{
    /// <summary>
    /// Stripe's shortest allowed session (30 minutes from its creation) with room for the expiry's rounding down to the
    /// minute and a slow request: a payer who walks away blocks the invoice no longer than this.
    /// </summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(33);

    /// <summary>A session this close to its expiry is not handed out again: the payer could not finish in time.</summary>
    public static readonly TimeSpan ReuseMargin = TimeSpan.FromMinutes(2);

    /// <param name="page">The pay link's page (the token's URL): where Stripe sends the payer back.</param>
    /// <param name="deadline">When the invocation ends: each Stripe call gives up in time for the payer to get an answer.</param>
    public async Task<CheckoutStart> StartAsync(string token, Uri page, DateTimeOffset deadline, CancellationToken cancellationToken)
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

            if (await SettledByEarlierIntentAsync(invoice, deadline, cancellationToken).ConfigureAwait(false))
            {
                return CheckoutStart.BackToPage; // the payer completed the earlier payment after all: the page says paid
            }

            var request = RequestFor(invoice, page, now);
            var session = await checkout.CreateSessionAsync(request, deadline, cancellationToken).ConfigureAwait(false);
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
    /// A failed payment may leave a PaymentIntent the payer could still complete (a decline awaiting another card, a
    /// 3-D Secure step, or the intent a refused cancel left open): it is cancelled before Checkout may take the money
    /// again, as the billing worker does before charging a new method. If it succeeded meanwhile, that payment stands.
    /// </summary>
    private async Task<bool> SettledByEarlierIntentAsync(Invoice invoice, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (invoice is not { Status: InvoiceStatus.PaymentFailed, Payment: { } payment } || (payment.PaymentIntentId ?? payment.ReplacesPaymentIntentId) is not { } earlier)
        {
            return false;
        }

        var cancel = await payments.CancelAsync(earlier, deadline, cancellationToken).ConfigureAwait(false);
        switch (cancel.Status)
        {
            case CancelStatus.AlreadySucceeded:
                await outcomes.RecordAsync(invoice.UserId, invoice.InvoiceId, payment.PaymentId, new ChargeResult(ChargeStatus.Succeeded, earlier), cancellationToken).ConfigureAwait(false);
                return true;
            case CancelStatus.Refused:
                throw new ProviderRefusedException(cancel.ProviderError!, $"Stripe refused to cancel PaymentIntent {earlier} of invoice {invoice.InvoiceId}.");
            default:
                return false;
        }
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
