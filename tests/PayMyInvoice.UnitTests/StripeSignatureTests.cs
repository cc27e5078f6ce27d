using System.Text;
using PayMyInvoice.StripeEmulator;
using PayMyInvoice.Workers.Payments;
using Stripe;

namespace PayMyInvoice.UnitTests;

/// <summary>Our Stripe-Signature check (the webhook runs as Native AOT, without Stripe.net) against Stripe's scheme and Stripe.net's own check.</summary>
public sealed class StripeSignatureTests
{
    private const string Secret = "whsec_test_secret";
    private const string Body = """{"id":"evt_1","object":"event","type":"payment_intent.succeeded"}""";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_780_000_000);

    private static bool Check(string header, string body = Body, string secret = Secret) =>
        StripeSignature.IsValid(Encoding.UTF8.GetBytes(body), header, secret, Now);

    private static string Signed(long timestamp, string body = Body, string secret = Secret) =>
        StripeEmulatorServer.SignatureHeader(body, secret, timestamp);

    [Fact]
    public void A_header_signed_with_the_secret_over_this_body_is_valid() =>
        Assert.True(Check(Signed(Now.ToUnixTimeSeconds())));

    [Fact]
    public void One_matching_v1_among_several_is_enough_as_when_Stripe_rolls_a_secret()
    {
        var good = Signed(Now.ToUnixTimeSeconds());
        var other = Signed(Now.ToUnixTimeSeconds(), secret: "whsec_old").Split(",v1=")[1];
        Assert.True(Check($"{good},v1={other}"));
        Assert.True(Check($"{good.Split(',')[0]},v1={other},{good.Split(',')[1]}"));
    }

    [Fact]
    public void Another_body_another_secret_or_a_signature_older_or_newer_than_five_minutes_is_invalid()
    {
        var now = Now.ToUnixTimeSeconds();
        Assert.False(Check(Signed(now), body: Body + " "));
        Assert.False(Check(Signed(now, secret: "whsec_other")));
        Assert.False(Check(Signed(now - 301)));
        Assert.False(Check(Signed(now + 301)));
        Assert.True(Check(Signed(now - 300)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("t=")]
    [InlineData("t=abc,v1=00")]
    [InlineData("t=2147483648,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=99999999999999999999999999,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=-1780000000,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=1780000000")]
    [InlineData("t=1780000000,v1=zz")]
    [InlineData("t=1780000000,v0=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData(",,,=,==")]
    public void A_malformed_header_is_invalid_never_an_exception(string header) =>
        Assert.False(Check(header));

    [Fact]
    public void Stripe_net_and_our_check_agree_on_good_forged_stale_and_malformed_headers()
    {
        var now = Now.ToUnixTimeSeconds();
        var headers = new[]
        {
            Signed(now), Signed(now - 299), Signed(now - 400), Signed(now, secret: "whsec_x"), Signed(now, body: "{}"),
            Signed(now) + ",v1=" + new string('a', 64), "t=" + now + ",v1=" + new string('0', 64), Signed(now).ToUpperInvariant(),
        };
        foreach (var header in headers)
        {
            bool stripeNet;
            try
            {
                EventUtility.ValidateSignature(Body, header, Secret, StripeSignature.DefaultToleranceSeconds, now);
                stripeNet = true;
            }
            catch (StripeException)
            {
                stripeNet = false;
            }

            Assert.True(stripeNet == Check(header), $"Stripe.net says {stripeNet} for '{header}'");
        }
    }
}
