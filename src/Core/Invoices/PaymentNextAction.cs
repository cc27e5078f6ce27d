namespace PayMyInvoice.Core.Invoices;

/// <summary>
/// What Stripe's <c>next_action</c> asks of the payer, in as much detail as a frontend needs: its <see cref="Type"/>
/// (<c>use_stripe_sdk</c>: call <c>stripe.handleNextAction({clientSecret})</c>; <c>redirect_to_url</c>: the same, or send
/// the browser to <see cref="RedirectUrl"/>). The contents of <c>use_stripe_sdk</c> are, as Stripe documents,
/// only for Stripe.js, which fetches them itself with the client secret, so they are not kept.
/// </summary>
public sealed record PaymentNextAction(string Type, string? RedirectUrl = null, string? ReturnUrl = null)
{
    public const string RedirectToUrl = "redirect_to_url";
}
