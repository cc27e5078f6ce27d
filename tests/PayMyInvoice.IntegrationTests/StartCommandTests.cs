using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace PayMyInvoice.IntegrationTests;

/// <summary>The README's first command, as a newcomer runs it: `start` brings the whole backend up and serves the API.</summary>
public sealed partial class StartCommandTests
{
    [Fact]
    public async Task Start_serves_the_API_on_local_services_it_starts_itself()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "PayMyInvoice.Local.dll"), "start", "--port", "0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        try
        {
            Uri? api = null;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line && line != "ready")
            {
                if (ApiLine().Match(line) is { Success: true } match)
                {
                    api = new Uri(match.Groups[1].Value);
                }
            }

            Assert.NotNull(api);
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "/invoices"))
            {
                Content = new StringContent("""{"payerEmail":"p@example.com","description":"x","amount":100,"currency":"USD","dueDate":"2026-12-31"}""", Encoding.UTF8, "application/json"),
                Headers = { { "X-PMI-Identity", "someone" } },
            };
            Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(request)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(new Uri(api, "/invoices"))).StatusCode); // unsigned, as API Gateway answers
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    [GeneratedRegex(@"^\s*API\s+(\S+)")]
    private static partial Regex ApiLine();
}
