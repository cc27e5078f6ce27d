using System.Diagnostics;
using System.Text.Json;

namespace PayMyInvoice.Local;

/// <summary>
/// DynamoDB Local, fauxqs and maildev, run by <c>src/Local/services/local-services.mjs</c> (which installs them on first use).
/// Disposing closes the script's stdin, which stops both; if this process dies, the pipe closes all the same.
/// </summary>
public sealed class LocalServices : IAsyncDisposable
{
    private readonly Process _process;

    private LocalServices(Process process, Uri dynamoDb, Uri fauxqs, Uri smtp, Uri inbox)
    {
        _process = process;
        DynamoDb = dynamoDb;
        Fauxqs = fauxqs;
        Smtp = smtp;
        Inbox = inbox;
    }

    public Uri DynamoDb { get; }

    /// <summary>SQS and SNS (and S3) on one port.</summary>
    public Uri Fauxqs { get; }

    /// <summary>maildev's SMTP server (smtp://host:port).</summary>
    public Uri Smtp { get; }

    /// <summary>maildev's web inbox; <c>GET /email</c> lists what it received.</summary>
    public Uri Inbox { get; }

    public LocalEndpoints Endpoints => new(DynamoDb, Fauxqs, Smtp: Smtp);

    public static async Task<LocalServices> StartAsync(CancellationToken cancellationToken = default)
    {
        var script = Path.Combine(RepositoryRoot.Find(), "src", "Local", "services", "local-services.mjs");
        var start = new ProcessStartInfo("node", [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false, // install progress and service errors reach the developer's terminal
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            throw new InvalidOperationException("The local services need Node.js (node on PATH) and Java 17+.", error);
        }

        // The first install downloads about 80 MB from npm; starting alone takes a few seconds.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(10));
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            while (line is not null && !line.StartsWith('{'))
            {
                await Console.Error.WriteLineAsync(line).ConfigureAwait(false); // a tool's chatter, not the ready line
                line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }

        if (line is null)
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"The local services did not start (exit code {process.ExitCode}); see the [local-services] lines above.");
        }

        try
        {
            using var ready = JsonDocument.Parse(line);
            return new LocalServices(
                process,
                new Uri(ready.RootElement.GetProperty("dynamodb").GetString()!),
                new Uri(ready.RootElement.GetProperty("fauxqs").GetString()!),
                new Uri(ready.RootElement.GetProperty("smtp").GetString()!),
                new Uri(ready.RootElement.GetProperty("inbox").GetString()!));
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or UriFormatException)
        {
            process.Kill(entireProcessTree: true); // never leave services running that nobody will stop
            process.Dispose();
            throw new InvalidOperationException($"The local services answered an unexpected ready line: {line}", error);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }
}
