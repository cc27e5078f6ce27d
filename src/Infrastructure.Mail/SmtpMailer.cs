using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using PayMyInvoice.Core.Notifications;

namespace PayMyInvoice.Infrastructure.Mail;

/// <summary>
/// Real MIME email (text and HTML alternatives) over SMTP with MailKit. <c>SMTP_URL</c> is <c>smtp://host:port</c>
/// (STARTTLS when offered) or <c>smtps://host:port</c> (TLS from the start); <c>SMTP_USERNAME</c>/<c>SMTP_PASSWORD</c>
/// when the server wants them.
/// </summary>
/// <remarks>
/// One SMTP session serves every email of the execution environment, one at a time: connecting, TLS and AUTH cost more
/// than the email itself, and a notifications batch may have twenty to send within its deadline (the quick
/// hostile-events run's 300 notifications batches took 54-58 s with a session per email, 10 s in one). A session the
/// server closed meanwhile (while the function was frozen between invocations, say) fails its NOOP and is replaced
/// before the email is sent; a send that fails drops the session, so the retry of that message starts a fresh one.
/// </remarks>
public sealed class SmtpMailer(Uri server, MailboxAddress from, string? username, string? password) : IMailer, IAsyncDisposable
{
    public const string UrlVariable = "SMTP_URL";
    public const string FromVariable = "MAIL_FROM";

    private readonly SemaphoreSlim _session = new(1, 1);
    private SmtpClient? _client;

    public static SmtpMailer FromSettings(Func<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var url = settings(UrlVariable) ?? throw new InvalidOperationException($"{UrlVariable} is not set.");
        return new SmtpMailer(new Uri(url), MailboxAddress.Parse(settings(FromVariable) ?? "PayMyInvoice <billing@paymyinvoice.example>"), settings("SMTP_USERNAME"), settings("SMTP_PASSWORD"));
    }

    public string Domain => from.Domain;

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var mime = new MimeMessage();
        mime.From.Add(from);
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.MessageId = message.MessageId;
        mime.Body = new BodyBuilder { TextBody = message.Text, HtmlBody = message.Html }.ToMessageBody();

        await _session.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var client = await SessionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await client.SendAsync(mime, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Drop(); // the session's state is unknown after a failure part-way
                throw;
            }
        }
        finally
        {
            _session.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is { IsConnected: true } client)
        {
            try
            {
                await client.DisconnectAsync(quit: true).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // the session is being thrown away either way; a QUIT the server no longer hears changes nothing
            }
        }

        Drop();
        _session.Dispose();
    }

    /// <summary>The open session if it still answers, else a new one.</summary>
    private async Task<SmtpClient> SessionAsync(CancellationToken cancellationToken)
    {
        if (_client is { IsConnected: true } open)
        {
            try
            {
                await open.NoOpAsync(cancellationToken).ConfigureAwait(false);
                return open;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // closed by the server, or idle too long: dropped and replaced below
            }
        }

        Drop();
        var client = new SmtpClient();
        try
        {
            var security = server.Scheme == "smtps" ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable;
            await client.ConnectAsync(server.Host, server.Port, security, cancellationToken).ConfigureAwait(false);
            if (username is not null)
            {
                await client.AuthenticateAsync(username, password ?? "", cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }

        _client = client;
        return client;
    }

    private void Drop()
    {
        _client?.Dispose();
        _client = null;
    }
}
