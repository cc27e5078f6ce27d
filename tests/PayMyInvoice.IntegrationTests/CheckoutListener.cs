using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PayMyInvoice.Workers.Payments;
using Stripe;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// The merchant's side of a Checkout payment, on loopback: a webhook endpoint that accepts only events whose
/// Stripe-Signature both the project's <see cref="StripeSignature"/> and Stripe.net's EventUtility verify, and the
/// success_url / cancel_url pages the payer's browser lands on.
/// </summary>
public sealed class CheckoutListener : IAsyncDisposable
{
    public const string Secret = "whsec_checkout_test";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Event> _events = new();

    private CheckoutListener(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Stripe's template: the emulator must put the session's id here on redirect.</summary>
    public string SuccessUrl => $"{BaseUrl}success?session_id={{CHECKOUT_SESSION_ID}}";

    public string CancelUrl => $"{BaseUrl}cancel";

    public IReadOnlyList<Event> Events => [.. _events];

    public static async Task<CheckoutListener> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var listener = new CheckoutListener(app);
        app.MapPost("/webhook", async (HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            var header = request.Headers["Stripe-Signature"].ToString();
            if (!StripeSignature.IsValid(Encoding.UTF8.GetBytes(body), header, Secret, DateTimeOffset.UtcNow))
            {
                return Results.BadRequest();
            }

            listener._events.Enqueue(EventUtility.ConstructEvent(body, header, Secret, StripeSignature.DefaultToleranceSeconds));
            return Results.Ok();
        });
        app.MapGet("/success", (string session_id) => Results.Content($"<!doctype html><html lang=\"en\"><title>Thank you</title><h1>Thank you for your payment</h1><p id=\"session\">{session_id}</p></html>", "text/html"));
        app.MapGet("/cancel", () => Results.Content("<!doctype html><html lang=\"en\"><title>Cancelled</title><h1>Payment cancelled</h1></html>", "text/html"));
        await app.StartAsync();
        listener.BaseUrl = new Uri(app.Urls.First() + "/");
        return listener;
    }

    /// <summary>Waits (up to 5 s) for a verified event of this type about this object id.</summary>
    public async Task<Event> WaitForEventAsync(string type, string objectId)
    {
        for (var i = 0; i < 100; i++)
        {
            if (_events.FirstOrDefault(e => e.Type == type && ((IHasId)e.Data.Object).Id == objectId) is { } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"no verified {type} event for {objectId}; got: {string.Join(", ", _events.Select(e => e.Type))}");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
