using System.Text;
using System.Text.Json.Nodes;
using PayMyInvoice.Local;
using PayMyInvoice.StripeEmulator;

namespace PayMyInvoice.Bench;

/// <summary>
/// The event each function is benchmarked with: its recorded event in <c>mocks/</c>, which does real work against the
/// seeded tables (getInvoice reads DynamoDB Local, billingWorker charges the emulator). The webhook's delivery is signed
/// again with the current time, or it would be refused as older than Stripe's 300 s tolerance.
/// </summary>
public sealed class BenchEvents(string repositoryRoot)
{
    /// <summary>serverless-plugin-warmup's ping: the host answers it without running business code.</summary>
    public static readonly byte[] WarmUpPing = Encoding.UTF8.GetBytes("{\"source\":\"serverless-plugin-warmup\"}");

    public byte[] For(string function)
    {
        var path = Path.Combine(repositoryRoot, "mocks", function + ".json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{function} has no recorded event in mocks/; the benchmark runs each function with its mock.", path);
        }

        var bytes = File.ReadAllBytes(path);
        return function == "stripeWebhook" ? Resign(bytes) : bytes;
    }

    private static byte[] Resign(byte[] mock)
    {
        var json = JsonNode.Parse(mock)!;
        var body = json["body"]!.GetValue<string>();
        var header = StripeEmulatorServer.SignatureHeader(body, LocalDeployment.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        json["headers"]!["Stripe-Signature"] = header;
        if (json["multiValueHeaders"]?["Stripe-Signature"] is not null)
        {
            json["multiValueHeaders"]!["Stripe-Signature"] = new JsonArray(header);
        }

        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }
}
