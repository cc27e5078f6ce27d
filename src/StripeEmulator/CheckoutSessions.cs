using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace PayMyInvoice.StripeEmulator;

/// <summary>
/// Stripe Checkout's API (docs.stripe.com/api/checkout/sessions): create (mode <c>payment</c> with inline
/// <c>price_data</c> line items), retrieve and expire, through the same authentication, faults and Idempotency-Key
/// replay as the PaymentIntents endpoints. A session's payment is an ordinary emulated PaymentIntent (created when the
/// payer first pays on the hosted page, <see cref="CheckoutPage"/>), so its charges, declines, 3-D Secure and
/// <c>payment_intent.*</c> events are the PaymentIntents' own. Sessions expire at <c>expires_at</c> by
/// <see cref="Time"/>: a sweep on that clock sends <c>checkout.session.expired</c>.
/// </summary>
public sealed partial class StripeEmulatorServer
{
    /// <summary>Stripe allows expires_at from 30 minutes to 24 hours after creation; 24 hours is the default.</summary>
    private static readonly TimeSpan ShortestExpiry = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan LongestExpiry = TimeSpan.FromHours(24);

    /// <summary>How often the clock is checked for sessions past expires_at (on <see cref="Time"/>, so a fake clock drives it).</summary>
    private static readonly TimeSpan ExpirySweep = TimeSpan.FromSeconds(1);

    private static readonly string[] RedirectParams = ["success_url", "cancel_url"];
    private static readonly string[] RequiredPerLineItem = ["[price_data][currency]", "[price_data][unit_amount]", "[price_data][product_data][name]", "[quantity]"];

    private readonly Dictionary<string, CheckoutSession> _sessions = new(StringComparer.Ordinal);
    private Task _expiry = Task.CompletedTask;

    /// <summary>The emulator's clock for Checkout: creation, expires_at bounds and expiry. Tests pass a FakeTimeProvider to StartAsync.</summary>
    public TimeProvider Time { get; private set; } = TimeProvider.System;

    public IReadOnlyList<CheckoutSession> CheckoutSessions
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Values.ToList();
            }
        }
    }

    /// <summary>
    /// The session expires now, as when its expires_at passes: status <c>expired</c>, expires_at set to now, and a
    /// <c>checkout.session.expired</c> webhook. Throws unless the session is open (tests call it on purpose).
    /// </summary>
    public void ExpireNow(string sessionId)
    {
        lock (_gate)
        {
            var session = _sessions[sessionId];
            if (session.Status != "open")
            {
                throw new InvalidOperationException($"{sessionId} is {session.Status}, not open");
            }

            session.ExpiresAt = Time.GetUtcNow().ToUnixTimeSeconds();
            Expire(session, null);
        }
    }

    private void MapCheckout(WebApplication app)
    {
        app.MapPost("/v1/checkout/sessions", Endpoint(CreateSessionAsync));
        app.MapGet("/v1/checkout/sessions/{id}", (HttpContext context, string id) => HandleAsync(context, _ => WithSession(id, session => (200, session.ToJson()))));
        app.MapPost("/v1/checkout/sessions/{id}/expire", (HttpContext context, string id) => HandleAsync(context, _ => WithSession(id, session =>
        {
            if (session.Status != "open")
            {
                return (400, Error("invalid_request_error", $"Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of `{session.Status}`."));
            }

            Expire(session, IdempotencyKey(context));
            return (200, session.ToJson());
        })));
        MapCheckoutPage(app);
    }

    private Task<IResult> CreateSessionAsync(HttpContext context) => HandleAsync(context, form =>
    {
        var now = Time.GetUtcNow();
        if (string.IsNullOrEmpty(form.GetValueOrDefault("mode")))
        {
            return InvalidRequest("Missing required param: mode.", "mode");
        }

        if (form["mode"] != "payment")
        {
            return (400, Error("invalid_request_error", $"The emulator supports only mode=payment, not '{form["mode"]}'.", param: "mode"));
        }

        if (string.IsNullOrEmpty(form.GetValueOrDefault("success_url")))
        {
            return InvalidRequest("Missing required param: success_url.", "success_url");
        }

        foreach (var name in RedirectParams)
        {
            // Stripe accepts only absolute http(s) URLs; the page puts them in links and Location headers.
            if (form.GetValueOrDefault(name) is { } url && !IsWebUrl(url))
            {
                return (400, Error("invalid_request_error", "Not a valid URL", code: "url_invalid", param: name));
            }
        }

        var (items, currency, refusal) = ParseLineItems(form);
        if (refusal is not null)
        {
            return (400, refusal);
        }

        var total = items.Sum(item => item.UnitAmount * item.Quantity);
        if (ChargeRules.Refusal(total, currency) is { } moneyRefusal)
        {
            // The PaymentIntent money rules, for the total the session would charge; a session has no `amount` param,
            // so the error names what sets it.
            var error = moneyRefusal["error"]!;
            error["param"] = error["param"]!.GetValue<string>() == "currency" ? "line_items[0][price_data][currency]" : "line_items";
            return (400, moneyRefusal);
        }

        var expiresAt = now.Add(LongestExpiry).ToUnixTimeSeconds();
        if (form.TryGetValue("expires_at", out var expiresText))
        {
            if (!long.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out expiresAt))
            {
                return (400, Error("invalid_request_error", "Invalid integer: expires_at", code: "parameter_invalid_integer", param: "expires_at"));
            }

            if (expiresAt - now.ToUnixTimeSeconds() < (long)ShortestExpiry.TotalSeconds)
            {
                return (400, Error("invalid_request_error", "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.", param: "expires_at"));
            }

            if (expiresAt - now.ToUnixTimeSeconds() > (long)LongestExpiry.TotalSeconds)
            {
                return (400, Error("invalid_request_error", "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.", param: "expires_at"));
            }
        }

        var email = form.GetValueOrDefault("customer_email");
        if (email is not null && !IsEmail(email))
        {
            return (400, Error("invalid_request_error", $"Invalid email address: {email}", code: "email_invalid", param: "customer_email"));
        }

        var id = $"cs_test_{Guid.NewGuid():N}{Guid.NewGuid():N}"[..66];
        var session = new CheckoutSession
        {
            Id = id,
            Currency = currency,
            LineItems = items,
            Created = now.ToUnixTimeSeconds(),
            ExpiresAt = expiresAt,
            SuccessUrl = form["success_url"],
            CancelUrl = form.GetValueOrDefault("cancel_url"),
            ClientReferenceId = form.GetValueOrDefault("client_reference_id"),
            CustomerEmail = email,
            Metadata = Bracketed(form, "metadata"),
            PaymentIntentMetadata = Bracketed(form, "payment_intent_data[metadata]"),
            Url = new Uri(BaseUrl, $"checkout/{id}"),
        };
        _sessions[id] = session;
        return (200, session.ToJson());
    });

    /// <summary>
    /// <c>line_items[i][price_data][currency|unit_amount|product_data][name]</c> and <c>line_items[i][quantity]</c>,
    /// in index order; one currency for all, as Stripe requires. Saved Prices (<c>line_items[i][price]</c>) do not
    /// exist in the emulator, so they are missing resources, as an unknown Price is at Stripe.
    /// </summary>
    private static (List<CheckoutLineItem> Items, string Currency, JsonObject? Refusal) ParseLineItems(Dictionary<string, string> form)
    {
        var indices = form.Keys.Select(key => LineItemIndex().Match(key)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().Order().ToList();
        if (indices.Count == 0)
        {
            return ([], "", Error("invalid_request_error", "Missing required param: line_items.", code: "parameter_missing", param: "line_items"));
        }

        var items = new List<CheckoutLineItem>();
        string? currency = null;
        foreach (var i in indices)
        {
            var prefix = $"line_items[{i}]";
            if (form.GetValueOrDefault($"{prefix}[price]") is { Length: > 0 } price)
            {
                return ([], "", Error("invalid_request_error", $"No such price: '{price}'", code: "resource_missing", param: $"{prefix}[price]"));
            }

            foreach (var required in RequiredPerLineItem)
            {
                if (string.IsNullOrEmpty(form.GetValueOrDefault(prefix + required)))
                {
                    return ([], "", Error("invalid_request_error", $"Missing required param: {prefix}{required}.", code: "parameter_missing", param: prefix + required));
                }
            }

            if (!long.TryParse(form[$"{prefix}[price_data][unit_amount]"], NumberStyles.None, CultureInfo.InvariantCulture, out var unitAmount))
            {
                return ([], "", Error("invalid_request_error", $"Invalid integer: {form[$"{prefix}[price_data][unit_amount]"]}", code: "parameter_invalid_integer", param: $"{prefix}[price_data][unit_amount]"));
            }

            if (!long.TryParse(form[$"{prefix}[quantity]"], NumberStyles.None, CultureInfo.InvariantCulture, out var quantity) || quantity < 1)
            {
                return ([], "", Error("invalid_request_error", "Quantity must be at least 1.", code: "parameter_invalid_integer", param: $"{prefix}[quantity]"));
            }

            var itemCurrency = form[$"{prefix}[price_data][currency]"].ToLowerInvariant();
            if (currency is not null && itemCurrency != currency)
            {
                return ([], "", Error("invalid_request_error", "All line items must have the same currency.", param: $"{prefix}[price_data][currency]"));
            }

            currency = itemCurrency;
            items.Add(new CheckoutLineItem(form[$"{prefix}[price_data][product_data][name]"], unitAmount, quantity));
        }

        return (items, currency!, null);
    }

    [GeneratedRegex(@"^line_items\[(\d+)\]")]
    private static partial Regex LineItemIndex();

    /// <summary>The <c>prefix[key]=value</c> entries of a form (Stripe's encoding of a hash), e.g. <c>metadata[invoiceId]</c>.</summary>
    private static Dictionary<string, string> Bracketed(Dictionary<string, string> form, string prefix) =>
        form.Where(f => f.Key.StartsWith(prefix + "[", StringComparison.Ordinal) && f.Key.EndsWith(']') && f.Key.IndexOf('[', prefix.Length + 1) < 0)
            .ToDictionary(f => f.Key[(prefix.Length + 1)..^1], f => f.Value, StringComparer.Ordinal);

    private static bool IsWebUrl(string value) =>
        Uri.TryCreate(value.Replace("{CHECKOUT_SESSION_ID}", "cs", StringComparison.Ordinal), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    private static bool IsEmail(string value) => value.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < value.Length - 1 && !value.Contains(' ', StringComparison.Ordinal);

    private (int, JsonObject) WithSession(string id, Func<CheckoutSession, (int, JsonObject)> action)
    {
        if (!_sessions.TryGetValue(id, out var session))
        {
            return (404, Error("invalid_request_error", $"No such checkout.session: '{id}'", code: "resource_missing", param: "session"));
        }

        ExpireIfDue(session);
        return action(session);
    }

    /// <summary>Under <c>_gate</c>. A session read after its expires_at is expired then, even if the sweep has not run yet.</summary>
    private void ExpireIfDue(CheckoutSession session)
    {
        if (session.Status == "open" && session.ExpiresAt <= Time.GetUtcNow().ToUnixTimeSeconds())
        {
            Expire(session, null);
        }
    }

    private void Expire(CheckoutSession session, string? idempotencyKey)
    {
        session.Status = "expired";
        Publish("checkout.session.expired", session.ToJson(), idempotencyKey);
    }

    /// <summary>
    /// Called whenever a PaymentIntent succeeds (on the hosted page, or by <see cref="CompleteAuthentication"/>): the
    /// session that created it becomes complete and paid, and <c>checkout.session.completed</c> is sent.
    /// </summary>
    private void CompleteSessionOf(PaymentIntent intent)
    {
        var session = _sessions.Values.FirstOrDefault(s => s.PaymentIntentId == intent.Id);
        if (session is { Status: "open" })
        {
            session.Status = "complete";
            session.PaymentStatus = "paid";
            Publish("checkout.session.completed", session.ToJson(), null);
        }
    }

    /// <summary>Expires open sessions whose expires_at has passed, on <see cref="Time"/>'s timer, until the emulator stops.</summary>
    private async Task ExpireSessionsAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(ExpirySweep, Time, _stopping.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    foreach (var session in _sessions.Values)
                    {
                        ExpireIfDue(session);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}
