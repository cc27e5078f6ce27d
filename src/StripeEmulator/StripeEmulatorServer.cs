using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PayMyInvoice.StripeEmulator;

/// <summary>
/// A stateful Stripe on loopback: PaymentIntents create / confirm / retrieve with the test payment methods,
/// Idempotency-Key replay (and <c>idempotency_error</c> for a key reused with other parameters), signed webhook
/// delivery with retries, and fault injection. It counts what a real Stripe would bill: <see cref="Charges"/>.
/// Faults strike before a request reaches the API, like a failing network or load balancer, so no idempotent
/// result is saved for them and a retry with the same key runs for real.
/// </summary>
public sealed partial class StripeEmulatorServer : IAsyncDisposable
{
    public const string ApiKey = "sk_test_emulator";

    private static readonly string[] RequiredToCreate = ["amount", "currency"];
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PaymentIntent> _intents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Fingerprint, int Status, string Body)> _idempotent = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FaultKind> _faults = new();
    private RandomFaults? _randomFaults;
    private readonly ConcurrentDictionary<FaultKind, int> _faultsInjected = new();
    private readonly List<(Uri Url, string Secret)> _webhooks = [];
    private readonly Channel<JsonObject> _events = Channel.CreateUnbounded<JsonObject>();
    private readonly ConcurrentQueue<WebhookDelivery> _deliveries = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly HttpClient _webhookClient = new() { Timeout = TimeSpan.FromSeconds(10) };
    private Task _delivery = Task.CompletedTask;
    private int _charges;
    private int _pendingWebhooks;
    private int _apiCalls;

    private StripeEmulatorServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The API version written into events; Stripe.net rejects events of another version by default.</summary>
    public string ApiVersion { get; init; } = "2026-10-28.endive";

    /// <summary>Delays between webhook attempts (Stripe spreads them over 3 days; locally, seconds).</summary>
    public IReadOnlyList<TimeSpan> WebhookRetryDelays { get; init; } = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    /// <summary>PaymentIntents that succeeded: each is one charge of the payer's card.</summary>
    public int Charges => Volatile.Read(ref _charges);

    /// <summary>Events published whose deliveries have not finished (delivered, or retries exhausted).</summary>
    public int PendingWebhooks => Volatile.Read(ref _pendingWebhooks);

    /// <summary>API requests that reached the emulator, faults included.</summary>
    public int ApiCalls => Volatile.Read(ref _apiCalls);

    public IReadOnlyList<PaymentIntent> PaymentIntents
    {
        get
        {
            lock (_gate)
            {
                return _intents.Values.ToList();
            }
        }
    }

    public IReadOnlyList<WebhookDelivery> Deliveries => _deliveries.ToList();

    /// <param name="time">The clock Checkout Sessions are created and expire by (default: the system's).</param>
    public static async Task<StripeEmulatorServer> StartAsync(int port = 0, string? apiVersion = null, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var emulator = apiVersion is null ? new StripeEmulatorServer(app) : new StripeEmulatorServer(app) { ApiVersion = apiVersion };
        emulator.Time = time ?? TimeProvider.System;
        app.MapPost("/v1/payment_intents", Endpoint(emulator.CreateAsync));
        app.MapPost("/v1/payment_intents/{id}/confirm", (HttpContext context, string id) => emulator.ConfirmAsync(context, id));
        app.MapGet("/v1/payment_intents/{id}", (HttpContext context, string id) => emulator.RetrieveAsync(context, id));
        emulator.MapCheckout(app);
        app.MapPost("/v1/payment_intents/{id}/cancel", (HttpContext context, string id) => emulator.CancelAsync(context, id));
        app.MapPost("/v1/refunds", Endpoint(emulator.RefundAsync));
        app.MapGet("/v1/payment_intents/search", Endpoint(emulator.SearchAsync));
        app.MapPost("/_emulator/faults", Endpoint(emulator.InjectFaultsAsync));
        app.MapPost("/_emulator/webhooks", Endpoint(emulator.AddWebhookFromFormAsync));
        app.MapGet("/_emulator/stats", () => Results.Json(new Dictionary<string, int>
        {
            ["charges"] = emulator.Charges,
            ["paymentIntents"] = emulator.PaymentIntents.Count,
            ["checkoutSessions"] = emulator.CheckoutSessions.Count,
            ["webhookDeliveries"] = emulator.Deliveries.Count(d => d.StatusCode is >= 200 and < 300),
        }));
        await app.StartAsync().ConfigureAwait(false);
        emulator.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        emulator._delivery = Task.Run(emulator.DeliverWebhooksAsync);
        emulator._expiry = emulator.ExpireSessionsAsync();
        return emulator;
    }

    /// <summary>As a Delegate, so that minimal APIs write the returned IResult instead of treating it as a RequestDelegate.</summary>
    private static Delegate Endpoint(Func<HttpContext, Task<IResult>> handler) => handler;

    /// <summary>The next <paramref name="count"/> API requests fail this way.</summary>
    public void FailNext(int count, FaultKind kind)
    {
        for (var i = 0; i < count; i++)
        {
            _faults.Enqueue(kind);
        }
    }

    /// <summary>
    /// From now on each API request fails with probability <paramref name="rate"/>, as one of <paramref name="kinds"/>
    /// picked at random; seeded, so a run can be replayed. A rate of 0 stops it. Queued <see cref="FailNext"/> faults
    /// strike first.
    /// </summary>
    public void FailRandomly(double rate, IReadOnlyList<FaultKind> kinds, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rate, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
        Volatile.Write(ref _randomFaults, rate == 0 ? null : new RandomFaults(rate, [.. kinds], new Random(seed)));
    }

    /// <summary>Faults injected so far, by kind (queued and random alike).</summary>
    public IReadOnlyDictionary<FaultKind, int> FaultsInjected => _faultsInjected.ToDictionary(f => f.Key, f => f.Value);

    /// <summary>How long a <see cref="FaultKind.Slow"/> request waits before it is served, or a <see cref="FaultKind.LateAnswer"/> before it is answered.</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(3);

    private bool TryTakeFault(out FaultKind fault)
    {
        if (!_faults.TryDequeue(out fault) && !(Volatile.Read(ref _randomFaults) is { } random && random.TryPick(out fault)))
        {
            return false;
        }

        _faultsInjected.AddOrUpdate(fault, 1, (_, count) => count + 1);
        return true;
    }

    public void AddWebhookEndpoint(Uri url, string secret)
    {
        lock (_gate)
        {
            _webhooks.Add((url, secret));
        }
    }

    /// <summary>What the payer's bank does after 3-D Secure: the intent succeeds or goes back to needing a payment method.</summary>
    public void CompleteAuthentication(string intentId, bool approved)
    {
        lock (_gate)
        {
            var intent = _intents[intentId];
            if (intent.Status != "requires_action")
            {
                throw new InvalidOperationException($"{intentId} is {intent.Status}, not requires_action");
            }

            if (approved)
            {
                Succeed(intent, null);
            }
            else
            {
                Decline(intent, new TestCards.Decline("payment_intent_authentication_failure", "authentication_failure", "The payment was not authenticated."), null);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _events.Writer.TryComplete();
        await _delivery.ConfigureAwait(false);
        await _expiry.ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _webhookClient.Dispose();
        _stopping.Dispose();
    }

    private Task<IResult> CreateAsync(HttpContext context) => HandleAsync(context, form =>
    {
        var missing = RequiredToCreate.FirstOrDefault(name => string.IsNullOrEmpty(form.GetValueOrDefault(name)));
        if (missing is not null)
        {
            return InvalidRequest($"Missing required param: {missing}.", missing);
        }

        if (!long.TryParse(form["amount"], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount < 1)
        {
            return InvalidRequest("Invalid integer: amount must be a positive integer in the smallest currency unit.", "amount");
        }

        if (ChargeRules.Refusal(amount, form["currency"]) is { } refusal)
        {
            return (400, refusal);
        }

        var intent = new PaymentIntent
        {
            Id = NewId("pi"),
            Amount = amount,
            Currency = form["currency"].ToLowerInvariant(),
            Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            Description = form.GetValueOrDefault("description"),
            Metadata = Bracketed(form, "metadata"),
            PaymentMethod = form.GetValueOrDefault("payment_method"),
        };
        _intents[intent.Id] = intent;
        return form.GetValueOrDefault("confirm") == "true" ? Confirm(intent, intent.PaymentMethod, IdempotencyKey(context)) : (200, intent.ToJson());
    });

    private Task<IResult> ConfirmAsync(HttpContext context, string id) => HandleAsync(context, form =>
        _intents.TryGetValue(id, out var intent)
            ? Confirm(intent, form.GetValueOrDefault("payment_method") ?? intent.PaymentMethod, IdempotencyKey(context))
            : Missing(id));

    private Task<IResult> RetrieveAsync(HttpContext context, string id) => HandleAsync(context, _ =>
        _intents.TryGetValue(id, out var intent) ? (200, intent.ToJson()) : Missing(id));

    /// <summary>Cancels (<see cref="Cancellations"/>), and sends <c>payment_intent.canceled</c> when it did.</summary>
    private Task<IResult> CancelAsync(HttpContext context, string id) => HandleAsync(context, form =>
    {
        if (!_intents.TryGetValue(id, out var intent))
        {
            return Missing(id);
        }

        var answer = Cancellations.Cancel(intent, form.GetValueOrDefault("cancellation_reason"));
        if (answer.Status == 200)
        {
            Publish("payment_intent.canceled", intent, context.Request.Headers["Idempotency-Key"] is { Count: > 0 } key ? key.ToString() : null);
        }

        return answer;
    });

    private Task<IResult> RefundAsync(HttpContext context) => HandleAsync(context, form => Refunds.Create(form, id => _intents.GetValueOrDefault(id)));

    private (int, JsonObject) Confirm(PaymentIntent intent, string? paymentMethod, string? idempotencyKey)
    {
        if (intent.Status is "succeeded" or "processing" or "canceled")
        {
            return (400, Error("invalid_request_error", $"This PaymentIntent's status is {intent.Status}; it cannot be confirmed.", code: "payment_intent_unexpected_state"));
        }

        if (paymentMethod is null)
        {
            return InvalidRequest("You cannot confirm this PaymentIntent because it's missing a payment method.", "payment_method");
        }

        if (!TestCards.IsKnown(paymentMethod))
        {
            return (400, Error("invalid_request_error", $"No such PaymentMethod: '{paymentMethod}'", code: "resource_missing", param: "payment_method"));
        }

        intent.PaymentMethod = paymentMethod;
        if (TestCards.Declines.TryGetValue(paymentMethod, out var decline))
        {
            var error = Decline(intent, decline, idempotencyKey);
            return (402, new JsonObject { ["error"] = error });
        }

        if (paymentMethod == TestCards.AuthenticationRequired)
        {
            intent.Status = "requires_action";
            Publish("payment_intent.requires_action", intent, idempotencyKey);
            return (200, intent.ToJson());
        }

        Succeed(intent, idempotencyKey);
        return (200, intent.ToJson());
    }

    private void Succeed(PaymentIntent intent, string? idempotencyKey)
    {
        intent.Status = "succeeded";
        intent.LatestCharge = NewId("ch");
        intent.LastPaymentError = null;
        Interlocked.Increment(ref _charges);
        Publish("payment_intent.succeeded", intent, idempotencyKey);
        CompleteSessionOf(intent);
    }

    private JsonObject Decline(PaymentIntent intent, TestCards.Decline decline, string? idempotencyKey)
    {
        intent.Status = "requires_payment_method";
        var error = new JsonObject { ["type"] = "card_error", ["message"] = decline.Message, ["code"] = decline.Code };
        error["decline_code"] = decline.DeclineCode;
        error["doc_url"] = $"https://stripe.com/docs/error-codes/{decline.Code.Replace('_', '-')}";
        intent.LastPaymentError = (JsonObject)error.DeepClone();
        error["payment_intent"] = intent.ToJson();
        Publish("payment_intent.payment_failed", intent, idempotencyKey);
        return error;
    }

    /// <summary>Authentication, faults, then idempotency: a replay returns the saved status and body exactly.</summary>
    private async Task<IResult> HandleAsync(HttpContext context, Func<Dictionary<string, string>, (int Status, JsonObject Body)> execute)
    {
        Interlocked.Increment(ref _apiCalls);
        if (TryTakeFault(out var fault))
        {
            switch (fault)
            {
                case FaultKind.Hang:
                    await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                    return Results.Empty;
                case FaultKind.Slow:
                    await Task.Delay(SlowDelay, context.RequestAborted).ConfigureAwait(false);
                    break; // then served as usual
                case FaultKind.LateAnswer:
                    var answer = await ServeAsync(context, execute).ConfigureAwait(false);
                    await Task.Delay(SlowDelay, context.RequestAborted).ConfigureAwait(false);
                    return answer;
                default:
                    return Fault(fault, context);
            }
        }

        return await ServeAsync(context, execute).ConfigureAwait(false);
    }

    private async Task<IResult> ServeAsync(HttpContext context, Func<Dictionary<string, string>, (int Status, JsonObject Body)> execute)
    {
        if (context.Request.Headers.Authorization.ToString() is not { } auth || !auth.StartsWith("Bearer sk_test_", StringComparison.Ordinal))
        {
            return Json(401, Error("invalid_request_error", "Invalid API Key provided: use a sk_test_ key."), context);
        }

        var form = context.Request.HasFormContentType
            ? (await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false)).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        var fingerprint = $"{context.Request.Method} {context.Request.Path}?" + string.Join('&', form.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));
        lock (_gate)
        {
            if (key.Length > 0 && _idempotent.TryGetValue(key, out var saved))
            {
                if (saved.Fingerprint != fingerprint)
                {
                    return Json(400, Error("idempotency_error", $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."), context);
                }

                context.Response.Headers["Idempotent-Replayed"] = "true";
                return Json(saved.Status, JsonNode.Parse(saved.Body)!.AsObject(), context);
            }

            var (status, body) = execute(form);
            if (key.Length > 0 && context.Request.Method == HttpMethods.Post && status != 400)
            {
                _idempotent[key] = (fingerprint, status, body.ToJsonString()); // validation errors are not saved, as in Stripe
            }

            return Json(status, body, context);
        }
    }

    /// <summary>
    /// The answer for an injected fault, as Stripe gives it: status, error type and a developer message (which, as
    /// Stripe's does, may quote a masked part of the key: callers must never show it to anyone but operators).
    /// </summary>
    private static IResult Fault(FaultKind fault, HttpContext context) => fault switch
    {
        FaultKind.RateLimited => Json(429, Error("invalid_request_error", "Too many requests hit the API too quickly.", code: "rate_limit"), context),
        FaultKind.RateLimitError => Json(429, Error("rate_limit_error", "Too many requests hit the API too quickly."), context),
        FaultKind.AuthenticationError => Json(401, Error("authentication_error", $"Invalid API Key provided: {MaskedKey(context)}"), context),
        FaultKind.PermissionError => Json(403, Error("permission_error", $"The provided key '{MaskedKey(context)}' does not have the required permissions for this endpoint on account 'acct_emulator'."), context),
        FaultKind.IdempotencyError => Json(400, Error("idempotency_error", "Keys for idempotent requests can only be used with the same parameters they were first used with (injected by the emulator)."), context),
        _ => Json(500, Error("api_error", "An unknown error occurred (injected by the emulator)."), context),
    };

    /// <summary>The caller's key as Stripe quotes it in errors: its prefix, stars, its last four characters.</summary>
    private static string MaskedKey(HttpContext context)
    {
        var key = context.Request.Headers.Authorization.ToString().Replace("Bearer ", "", StringComparison.Ordinal);
        return key.Length < 12 ? "sk_****" : $"{key[..8]}{new string('*', key.Length - 12)}{key[^4..]}";
    }

    private void Publish(string type, PaymentIntent intent, string? idempotencyKey) => Publish(type, intent.ToJson(), idempotencyKey);

    /// <summary>An event whose <c>data.object</c> is <paramref name="dataObject"/> (a PaymentIntent's or a Checkout Session's JSON).</summary>
    private void Publish(string type, JsonObject dataObject, string? idempotencyKey)
    {
        Interlocked.Increment(ref _pendingWebhooks);
        _events.Writer.TryWrite(Event(type, dataObject, idempotencyKey));
    }

    private JsonObject Event(string type, JsonObject dataObject, string? idempotencyKey) => new()
    {
        ["id"] = NewId("evt"),
        ["object"] = "event",
        ["api_version"] = ApiVersion,
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["data"] = new JsonObject { ["object"] = dataObject },
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["request"] = new JsonObject { ["id"] = NewId("req"), ["idempotency_key"] = idempotencyKey },
        ["type"] = type,
    };

    /// <summary>Delivers each event to every endpoint, signed; a non-2xx answer is retried after each delay.</summary>
    private async Task DeliverWebhooksAsync()
    {
        try
        {
            await foreach (var evt in _events.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                List<(Uri Url, string Secret)> endpoints;
                lock (_gate)
                {
                    endpoints = [.. _webhooks];
                }

                var payload = evt.ToJsonString();
                await Task.WhenAll(endpoints.Select(endpoint => DeliverAsync(endpoint.Url, endpoint.Secret, evt["id"]!.GetValue<string>(), evt["type"]!.GetValue<string>(), payload))).ConfigureAwait(false);
                Interlocked.Decrement(ref _pendingWebhooks);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task DeliverAsync(Uri url, string secret, string eventId, string type, string payload)
    {
        for (var attempt = 0; attempt <= WebhookRetryDelays.Count; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(WebhookRetryDelays[attempt - 1], _stopping.Token).ConfigureAwait(false);
            }

            int status;
            try
            {
                using var content = new StringContent(payload, Encoding.UTF8, "application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
                request.Headers.Add("Stripe-Signature", SignatureHeader(payload, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
                using var response = await _webhookClient.SendAsync(request, _stopping.Token).ConfigureAwait(false);
                status = (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                status = 0;
            }

            _deliveries.Enqueue(new WebhookDelivery(eventId, type, url, attempt + 1, status));
            if (status is >= 200 and < 300)
            {
                return;
            }
        }
    }

    /// <summary><c>t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256(secret, "t.payload")&gt;</c>, as Stripe signs.</summary>
    public static string SignatureHeader(string payload, string secret, long timestamp)
    {
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{payload}"));
        return $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(signature)}";
    }

    private async Task<IResult> InjectFaultsAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync().ConfigureAwait(false);
        FailNext(int.Parse(form["count"].ToString(), CultureInfo.InvariantCulture), Enum.Parse<FaultKind>(form["kind"].ToString(), ignoreCase: true));
        return Results.NoContent();
    }

    private async Task<IResult> AddWebhookFromFormAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync().ConfigureAwait(false);
        AddWebhookEndpoint(new Uri(form["url"].ToString()), form["secret"].ToString());
        return Results.NoContent();
    }

    private static IResult Json(int status, JsonObject body, HttpContext context)
    {
        context.Response.Headers["Request-Id"] = NewId("req");
        return Results.Text(body.ToJsonString(), "application/json", Encoding.UTF8, status);
    }

    /// <summary>The request's Idempotency-Key, or null without one (as Stripe's events write it).</summary>
    private static string? IdempotencyKey(HttpContext context) => context.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key ? key : null;

    private static (int, JsonObject) InvalidRequest(string message, string param) => (400, Error("invalid_request_error", message, code: "parameter_missing", param: param));

    private static (int, JsonObject) Missing(string id) =>
        (404, Error("invalid_request_error", $"No such payment_intent: '{id}'", code: "resource_missing", param: "intent"));

    private static JsonObject Error(string type, string message, string? code = null, string? param = null)
    {
        var error = new JsonObject { ["type"] = type, ["message"] = message };
        if (code is not null)
        {
            error["code"] = code;
        }

        if (param is not null)
        {
            error["param"] = param;
        }

        return new JsonObject { ["error"] = error };
    }

    private static string NewId(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 25)];
}

public enum FaultKind
{
    /// <summary>500 api_error.</summary>
    ServerError,

    /// <summary>429 rate_limit.</summary>
    RateLimited,

    /// <summary>No answer until the client gives up.</summary>
    Hang,

    /// <summary>429 <c>rate_limit_error</c> (the type older API versions and SDKs name).</summary>
    RateLimitError,

    /// <summary>401 <c>authentication_error</c>: a wrong, expired or revoked key; the message quotes a masked part of it.</summary>
    AuthenticationError,

    /// <summary>403 <c>permission_error</c>: a restricted key without the permission.</summary>
    PermissionError,

    /// <summary>400 <c>idempotency_error</c>: the key was first used with other parameters.</summary>
    IdempotencyError,

    /// <summary>Served as usual, after <see cref="StripeEmulatorServer.SlowDelay"/>.</summary>
    Slow,

    /// <summary>Served at once (a charge is made and its idempotent answer saved), but answered only after <see cref="StripeEmulatorServer.SlowDelay"/>.</summary>
    LateAnswer,
}

/// <summary>A seeded random fault source; <see cref="Random"/> is not thread-safe, so picks are serialised.</summary>
internal sealed class RandomFaults(double rate, FaultKind[] kinds, Random random)
{
    private readonly Lock _gate = new();

    public bool TryPick(out FaultKind fault)
    {
        lock (_gate)
        {
            fault = kinds[random.Next(kinds.Length)];
            return random.NextDouble() < rate;
        }
    }
}

/// <summary>One webhook attempt: status 0 when the endpoint could not be reached.</summary>
public sealed record WebhookDelivery(string EventId, string Type, Uri Url, int Attempt, int StatusCode);
