using System.Security.Cryptography;
using System.Text;
using PayMyInvoice.Core.Idempotency;

namespace PayMyInvoice.Core.Notifications;

/// <summary>A complete email: plain text and HTML bodies, and a Message-Id derived from (event, recipient).</summary>
public sealed record EmailMessage(string To, string Subject, string Text, string Html, string MessageId);

/// <summary>Hands an email to the mail server.</summary>
public interface IMailer
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// At most one email per (event, recipient), however often the event arrives: each send is claimed in the idempotency
/// store first. Should a worker die between sending and recording, the retry sends once more with the same
/// Message-Id, which mail clients use to collapse the duplicate.
/// </summary>
public sealed class NotificationService(IMailer mailer, IIdempotencyStore idempotency)
{
    /// <param name="deadline">The invocation's deadline, when a claim on an email lapses if the worker dies.</param>
    public async Task<int> SendOnceAsync(string eventId, IEnumerable<EmailMessage> messages, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var sent = 0;
        foreach (var message in messages)
        {
            var claim = await idempotency.RunOnceAsync(
                $"email#{eventId}#{message.To.ToLowerInvariant()}",
                Hash(message.Subject),
                deadline,
                () => mailer.SendAsync(message, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            sent += claim == IdempotencyClaim.Claimed ? 1 : 0;
        }

        return sent;
    }

    /// <summary>The same (event, recipient) always gets the same Message-Id.</summary>
    public static string MessageIdFor(string eventId, string recipient, string domain) =>
        $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{eventId}\n{recipient.ToLowerInvariant()}")))[..32]}@{domain}";

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
