using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.StripeEmulator;

/// <summary>
/// The hosted payment page at a Checkout Session's <c>url</c>: plain HTML forms (no JavaScript), so a person's
/// browser and a test's HttpClient pay the same way. The payer picks one of Stripe's test cards; paying confirms the
/// session's PaymentIntent with the emulator's own confirmation (<see cref="TestCards"/>, declines, 3-D Secure), so
/// the page, the API and the webhooks cannot disagree. Success is a 303 to success_url; a decline or a failed
/// authentication shows Stripe's message and the choice again (the session stays open). The page is not an API
/// request: it takes no API key, no Idempotency-Key and no injected fault, as Stripe's checkout host is not its API.
/// </summary>
public sealed partial class StripeEmulatorServer
{
    /// <summary>The cards the page offers: Stripe's test card numbers and the test payment methods they stand for.</summary>
    private static readonly (string PaymentMethod, string Number, string Outcome)[] PageCards =
    [
        ("pm_card_visa", "4242 4242 4242 4242", "Visa, succeeds"),
        ("pm_card_chargeDeclined", "4000 0000 0000 0002", "declined (generic decline)"),
        ("pm_card_chargeDeclinedInsufficientFunds", "4000 0000 0000 9995", "declined (insufficient funds)"),
        (TestCards.AuthenticationRequired, "4000 0027 6000 3184", "needs 3-D Secure authentication"),
    ];

    private void MapCheckoutPage(WebApplication app)
    {
        app.MapGet("/checkout/{id}", (string id) => OnPage(id, session => FormPage(session, null, 200)));
        app.MapPost("/checkout/{id}", async (HttpContext context, string id) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            return OnPage(id, session => Pay(context, session, form["payment_method"].ToString()));
        });
        app.MapGet("/checkout/{id}/authenticate", (HttpContext context, string id) => OnPage(id, session =>
            IntentOf(session) is { Status: "requires_action" } ? AuthenticationPage(session) : SeeOther(context, $"/checkout/{id}")));
        app.MapPost("/checkout/{id}/authenticate", async (HttpContext context, string id) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            return OnPage(id, session => Authenticate(context, session, form["result"].ToString() == "complete"));
        });
    }

    /// <summary>Runs <paramref name="open"/> for an open session under the gate; an unknown, expired or complete one gets a page saying so.</summary>
    private IResult OnPage(string id, Func<CheckoutSession, IResult> open)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue(id, out var session))
            {
                return Page(404, "Checkout not found", "<h1>This checkout page does not exist</h1><p>Check the link you were given.</p>");
            }

            ExpireIfDue(session);
            return session.Status switch
            {
                "open" => open(session),
                "complete" => Page(200, "Payment complete", $"<h1>This payment is complete</h1><p>{AmountSpan(session)} was paid. There is nothing more to do here.</p>"),
                _ => Page(200, "Checkout expired", "<h1>This checkout session has expired</h1><p>It can no longer be paid. Ask the seller for a new payment link.</p>"),
            };
        }
    }

    private IResult Pay(HttpContext context, CheckoutSession session, string paymentMethod)
    {
        if (!PageCards.Any(card => card.PaymentMethod == paymentMethod))
        {
            return FormPage(session, "Choose one of the test cards.", 400);
        }

        var intent = IntentOf(session) ?? StartPayment(session);
        var (_, body) = Confirm(intent, paymentMethod, null);
        return intent.Status switch
        {
            "succeeded" => SeeOther(context, session.SuccessRedirect), // Succeed completed the session
            "requires_action" => SeeOther(context, $"/checkout/{session.Id}/authenticate"),
            _ => FormPage(session, body["error"]?["message"]?.GetValue<string>() ?? "Your payment could not be processed.", 402),
        };
    }

    private IResult Authenticate(HttpContext context, CheckoutSession session, bool approved)
    {
        if (IntentOf(session) is not { Status: "requires_action" } intent)
        {
            return SeeOther(context, $"/checkout/{session.Id}");
        }

        CompleteAuthentication(intent.Id, approved);
        return intent.Status == "succeeded"
            ? SeeOther(context, session.SuccessRedirect)
            : FormPage(session, intent.LastPaymentError?["message"]?.GetValue<string>() ?? "The payment was not authenticated.", 402);
    }

    private PaymentIntent? IntentOf(CheckoutSession session) => session.PaymentIntentId is { } id ? _intents[id] : null;

    /// <summary>Stripe creates a session's PaymentIntent when the payer first confirms: the total, and payment_intent_data's metadata.</summary>
    private PaymentIntent StartPayment(CheckoutSession session)
    {
        var intent = new PaymentIntent
        {
            Id = NewId("pi"),
            Amount = session.AmountTotal,
            Currency = session.Currency,
            Created = Time.GetUtcNow().ToUnixTimeSeconds(),
            Metadata = new Dictionary<string, string>(session.PaymentIntentMetadata, StringComparer.Ordinal),
        };
        _intents[intent.Id] = intent;
        session.PaymentIntentId = intent.Id;
        return intent;
    }

    private static IResult FormPage(CheckoutSession session, string? error, int status)
    {
        var html = new StringBuilder();
        html.Append("<h1>Pay ").Append(Html(Total(session))).Append("</h1><p class=\"mode\">Test mode: Stripe emulator. No real card is charged.</p>");
        html.Append("<table><caption>Order summary</caption><tbody>");
        foreach (var item in session.LineItems)
        {
            html.Append("<tr><th scope=\"row\">").Append(Html(item.Name)).Append(item.Quantity > 1 ? $" × {item.Quantity}" : "").Append("</th><td>")
                .Append(Html(Currencies.Format(item.UnitAmount * item.Quantity, session.Currency.ToUpperInvariant()))).Append("</td></tr>");
        }

        html.Append("</tbody><tfoot><tr><th scope=\"row\">Total</th><td>").Append(Html(Total(session))).Append("</td></tr></tfoot></table>");
        if (session.CustomerEmail is not null)
        {
            html.Append("<p>Email: ").Append(Html(session.CustomerEmail)).Append("</p>");
        }

        if (error is not null)
        {
            html.Append("<p class=\"error\" role=\"alert\" id=\"error\">").Append(Html(error)).Append(" Choose another card and try again.</p>");
        }

        html.Append("<form method=\"post\" action=\"/checkout/").Append(Html(session.Id)).Append("\"><fieldset><legend>Test card</legend>");
        for (var i = 0; i < PageCards.Length; i++)
        {
            var (paymentMethod, number, outcome) = PageCards[i];
            html.Append("<div class=\"choice\"><input type=\"radio\" name=\"payment_method\" id=\"card").Append(i).Append("\" value=\"").Append(paymentMethod).Append('"')
                .Append(i == 0 ? " checked" : "").Append("><label for=\"card").Append(i).Append("\"><span class=\"number\">").Append(number).Append("</span> ")
                .Append(Html(outcome)).Append("</label></div>");
        }

        html.Append("</fieldset><button type=\"submit\">Pay ").Append(Html(Total(session))).Append("</button></form>");
        if (session.CancelUrl is not null)
        {
            html.Append("<p><a href=\"").Append(Html(session.CancelUrl)).Append("\">Back</a></p>");
        }

        return Page(status, $"Pay {Total(session)}", html.ToString());
    }

    private static IResult AuthenticationPage(CheckoutSession session) => Page(200, "3-D Secure authentication",
        $"<h1>3-D Secure authentication</h1><p>Your bank asks you to confirm the payment of {AmountSpan(session)}.</p>"
        + $"<form method=\"post\" action=\"/checkout/{Html(session.Id)}/authenticate\">"
        + "<button type=\"submit\" name=\"result\" value=\"complete\">Complete authentication</button> "
        + "<button type=\"submit\" name=\"result\" value=\"fail\" class=\"secondary\">Fail authentication</button></form>");

    private static string Total(CheckoutSession session) => Currencies.Format(session.AmountTotal, session.Currency.ToUpperInvariant());

    /// <summary>The total for running text, kept on one line ("EUR 125.50" never splits between code and number).</summary>
    private static string AmountSpan(CheckoutSession session) => $"<span class=\"amount\">{Html(Total(session))}</span>";

    private static string Html(string text) => WebUtility.HtmlEncode(text);

    private static IResult SeeOther(HttpContext context, string location)
    {
        context.Response.Headers.Location = location;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static IResult Page(int status, string title, string body) => Results.Content(
        $$"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{Html(title)}}</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 0; background: #f6f8fa; color: #1a1f36; }
        main { max-width: 28rem; margin: 2rem auto; padding: 1.5rem 2rem; background: #fff; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
        h1 { font-size: 1.5rem; }
        .mode { color: #8a4b00; background: #fff4e5; padding: .25rem .5rem; border-radius: 4px; font-size: .875rem; }
        table { width: 100%; border-collapse: collapse; margin: 1rem 0; }
        caption { text-align: left; font-weight: 600; padding-bottom: .25rem; }
        th { text-align: left; font-weight: normal; } td { text-align: right; }
        th, td { padding: .35rem 0; border-bottom: 1px solid #e3e8ee; }
        tfoot th, tfoot td { font-weight: 700; border-bottom: none; }
        fieldset { border: 1px solid #e3e8ee; border-radius: 6px; padding: .5rem 1rem; }
        .choice { display: flex; gap: .5rem; align-items: baseline; padding: .4rem 0; } .number { font-family: ui-monospace, monospace; white-space: nowrap; }
        .amount { white-space: nowrap; }
        button { margin-top: 1rem; padding: .7rem 1.2rem; font-size: 1rem; border: 0; border-radius: 6px; background: #635bff; color: #fff; cursor: pointer; }
        button.secondary { background: #697386; }
        .error { color: #a4000f; background: #ffe9ec; padding: .5rem; border-radius: 4px; }
        </style>
        </head>
        <body><main>
        {{body}}
        </main></body>
        </html>
        """, "text/html; charset=utf-8", Encoding.UTF8, status);
}
