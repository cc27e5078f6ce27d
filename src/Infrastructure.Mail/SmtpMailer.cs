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
public sealed class SmtpMailer(Uri server, MailboxAddress from, string? username, string? password) : IMailer
{
    public const string UrlVariable = "SMTP_URL";
    public const string FromVariable = "MAIL_FROM";

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

        using var client = new SmtpClient();
        var security = server.Scheme == "smtps" ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable;
        await client.ConnectAsync(server.Host, server.Port, security, cancellationToken).ConfigureAwait(false);
        if (username is not null)
        {
            await client.AuthenticateAsync(username, password ?? "", cancellationToken).ConfigureAwait(false);
        }

        await client.SendAsync(mime, cancellationToken).ConfigureAwait(false);
        await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
    }
}
