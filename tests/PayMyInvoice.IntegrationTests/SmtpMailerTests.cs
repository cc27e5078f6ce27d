using MimeKit;
using PayMyInvoice.Core.Notifications;
using PayMyInvoice.Infrastructure.Mail;
using PayMyInvoice.IntegrationTests.Reliability;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// The mailer against maildev, through a <see cref="CuttableLink"/> that counts the SMTP connections from outside:
/// one session carries every email, a session the server dropped is replaced without losing the email in hand, and
/// a send while the server is away fails (so the message is retried) without spoiling the next one.
/// </summary>
[Collection(LocalServicesCollection.Name)]
public sealed class SmtpMailerTests(LocalServicesFixture local)
{
    private static readonly MailboxAddress From = MailboxAddress.Parse("PayMyInvoice <billing@paymyinvoice.example>");

    [Fact]
    public async Task Emails_share_one_session_and_one_the_server_dropped_is_replaced_without_losing_an_email()
    {
        await using var link = CuttableLink.Start(local.Services.Smtp);
        await using var mailer = new SmtpMailer(link.Url, From, null, null);
        var run = Guid.NewGuid().ToString("N")[..8];

        for (var i = 0; i < 3; i++)
        {
            await mailer.SendAsync(Email($"first-{i}-{run}@mailer.test"), CancellationToken.None);
        }

        Assert.Equal(1, link.Forwarded);

        link.Cut(); // resets the open session, as a server closing an idle one (or a frozen function's lost socket) does
        link.Restore();
        await mailer.SendAsync(Email($"after-{run}@mailer.test"), CancellationToken.None);

        Assert.Equal(2, link.Forwarded);
        foreach (var address in new[] { $"first-0-{run}@mailer.test", $"first-1-{run}@mailer.test", $"first-2-{run}@mailer.test", $"after-{run}@mailer.test" })
        {
            Assert.Equal(1, await ReceivedAsync(address));
        }
    }

    [Fact]
    public async Task A_send_while_the_server_is_away_fails_and_the_next_one_after_it_is_back_goes_through()
    {
        await using var link = CuttableLink.Start(local.Services.Smtp);
        await using var mailer = new SmtpMailer(link.Url, From, null, null);
        var run = Guid.NewGuid().ToString("N")[..8];
        await mailer.SendAsync(Email($"before-{run}@mailer.test"), CancellationToken.None);

        link.Cut();
        await Assert.ThrowsAnyAsync<Exception>(() => mailer.SendAsync(Email($"during-{run}@mailer.test"), CancellationToken.None));
        link.Restore();
        await mailer.SendAsync(Email($"after-{run}@mailer.test"), CancellationToken.None);

        Assert.Equal(1, await ReceivedAsync($"before-{run}@mailer.test"));
        Assert.Equal(1, await ReceivedAsync($"after-{run}@mailer.test"));
        Assert.Empty(await local.InboxAsync($"during-{run}@mailer.test"));
    }

    private static EmailMessage Email(string to) =>
        new(to, "Invoice for $15.00: mailer test", "You have a new invoice.", "<p>You have a new invoice.</p>", $"{Guid.NewGuid():N}@paymyinvoice.example");

    /// <summary>maildev acknowledges the message before it has parsed and listed it: wait for it a little.</summary>
    private async Task<int> ReceivedAsync(string address)
    {
        for (var attempt = 0; ; attempt++)
        {
            var count = (await local.InboxAsync(address)).Count;
            if (count > 0 || attempt == 50)
            {
                return count;
            }

            await Task.Delay(100);
        }
    }
}
