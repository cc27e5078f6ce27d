using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PayMyInvoice.Local;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>The invoice API over HTTP on the local gateway, as the reliability scenarios call it: every call timed and its answer counted per route.</summary>
public sealed class TimedApi(Uri gateway, string run) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public ConcurrentDictionary<string, ConcurrentBag<double>> LatenciesMs { get; } = new();

    /// <summary>"route status" → count.</summary>
    public ConcurrentDictionary<string, int> Answers { get; } = new();

    public int ServerErrors => Answers.Where(a => a.Key[^3] == '5').Sum(a => a.Value);

    public string Payer(int index) => $"payer-{run}-{index}@example.com";

    /// <summary>An open invoice for payer <paramref name="index"/>; null when it was not created (the answer is counted).</summary>
    public async Task<string?> CreateAsync(string user, int index)
    {
        var body = $$"""
            {"payerEmail":"{{Payer(index)}}","issuerEmail":"issuer-{{run}}-{{index % 5}}@example.com","description":"Reliability {{run}} #{{index}}",
             "amount":{{1_000 + index}},"currency":"USD","dueDate":"2030-01-31","status":"open"}
            """;
        using var response = await SendAsync("createInvoice", HttpMethod.Post, "/invoices", user, body);
        return response.StatusCode == HttpStatusCode.Created ? (await response.Content.ReadFromJsonAsync<JsonNode>())!["invoiceId"]!.GetValue<string>() : null;
    }

    public async Task<HttpStatusCode> PayAsync(string user, string invoiceId, string card, string idempotencyKey)
    {
        using var response = await SendAsync("payInvoice", HttpMethod.Post, $"/invoices/{invoiceId}/pay", user, $$"""{"paymentMethodId":"{{card}}"}""", idempotencyKey);
        return response.StatusCode;
    }

    public async Task<HttpResponseMessage> SendAsync(string route, HttpMethod method, string path, string user, string? body = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(gateway, path)) { Headers = { { LocalApiGateway.IdentityHeader, user } } };
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        var started = Stopwatch.GetTimestamp();
        var response = await _http.SendAsync(request);
        LatenciesMs.GetOrAdd(route, _ => []).Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        Answers.AddOrUpdate($"{route} {(int)response.StatusCode}", 1, (_, n) => n + 1);
        return response;
    }

    public Dictionary<string, double> Percentile(double quantile) => LatenciesMs.ToDictionary(l => l.Key, l =>
    {
        var sorted = l.Value.Order().ToList();
        return sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)], 1);
    });

    public void Dispose() => _http.Dispose();
}
