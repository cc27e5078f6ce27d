using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using PayMyInvoice.Bench.Floors;
using PayMyInvoice.Infrastructure.Aws;
using PayMyInvoice.Infrastructure.DynamoDb;

// Floors for the benchmark, with the client the functions use (DynamoDbClients.FromSettings over the process
// environment: AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), from a Native AOT binary:
// - N sequential GetItem calls, no Lambda; prints one JSON line: {"count","p50Us","p90Us","p99Us","meanUs"}.
//   GetItemLoop --table NAME --key '{"userId":{"S":"u"},"invoiceId":{"S":"i"}}' [--count 1000] [--warmup 50]
// - with --lambda, the hello floor's runtime loop doing one GetItem per call: what a function that only reads one
//   item costs (cold start, memory), with none of our handler, logging or JSON.
const string Usage = """usage: GetItemLoop [--lambda] --table NAME --key '{"attr":{"S":"value"},...}' [--count 1000] [--warmup 50]""";

string? table = null;
string? keyJson = null;
var count = 1000;
var warmup = 50;
var lambda = false;
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--lambda": lambda = true; break;
        case "--table" when value is not null: table = value; i++; break;
        case "--key" when value is not null: keyJson = value; i++; break;
        case "--count" when int.TryParse(value, CultureInfo.InvariantCulture, out count) && count > 0: i++; break;
        case "--warmup" when int.TryParse(value, CultureInfo.InvariantCulture, out warmup) && warmup >= 0: i++; break;
        default:
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
    }
}

if (table is null || keyJson is null)
{
    await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
    return 2;
}

Dictionary<string, AttributeValue> key;
try
{
    key = ParseKey(keyJson);
}
catch (Exception error) when (error is JsonException or FormatException or InvalidOperationException)
{
    await Console.Error.WriteLineAsync($"--key: {error.Message}").ConfigureAwait(false);
    return 2;
}

using var dynamo = DynamoDbClients.FromSettings(new AwsSettings(Environment.GetEnvironmentVariable));
if (lambda)
{
    return await RuntimeLoop.RunAsync(async cancellationToken =>
    {
        // A missing item would be a cheaper call than getInvoice's: fail the environment rather than time it.
        if ((await dynamo.GetItemAsync(new GetItemRequest { TableName = table, Key = key }, cancellationToken).ConfigureAwait(false)).Item is not { Count: > 0 })
        {
            throw new InvalidOperationException($"GetItemLoop: no item in {table} for {keyJson}");
        }
    }).ConfigureAwait(false);
}

// Untimed: the first calls pay for connection setup, the SDK's lazy initialisation and signing caches.
for (var i = 0; i < warmup; i++)
{
    await GetAsync(dynamo, table, key).ConfigureAwait(false);
}

// A missing item is a cheaper call than the one being compared against: refuse to time it.
if ((await GetAsync(dynamo, table, key).ConfigureAwait(false)).Item is not { Count: > 0 })
{
    await Console.Error.WriteLineAsync($"GetItemLoop: no item in {table} for {keyJson}").ConfigureAwait(false);
    return 1;
}

var ticks = new long[count];
for (var i = 0; i < count; i++)
{
    var started = Stopwatch.GetTimestamp();
    await GetAsync(dynamo, table, key).ConfigureAwait(false);
    ticks[i] = Stopwatch.GetTimestamp() - started;
}

Array.Sort(ticks);
using (var stdout = Console.OpenStandardOutput())
using (var json = new Utf8JsonWriter(stdout))
{
    json.WriteStartObject();
    json.WriteNumber("count", count);
    json.WriteNumber("p50Us", Micros(Percentile(ticks, 50)));
    json.WriteNumber("p90Us", Micros(Percentile(ticks, 90)));
    json.WriteNumber("p99Us", Micros(Percentile(ticks, 99)));
    json.WriteNumber("meanUs", Micros(ticks.Average()));
    json.WriteEndObject();
    json.Flush();
    stdout.Write("\n"u8);
}

return 0;

static Task<GetItemResponse> GetAsync(AmazonDynamoDBClient dynamo, string table, Dictionary<string, AttributeValue> key) =>
    dynamo.GetItemAsync(new GetItemRequest { TableName = table, Key = key });

// Nearest rank: the smallest sample with at least p% of the samples at or below it.
static long Percentile(long[] sorted, int p) => sorted[Math.Max(0, (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1)];

static double Micros(double ticks) => Math.Round(ticks * 1_000_000 / Stopwatch.Frequency, 1);

// DynamoDB's own JSON for a key: {"name":{"S":"..."}} with S, N or B (base64) per attribute.
static Dictionary<string, AttributeValue> ParseKey(string json)
{
    using var document = JsonDocument.Parse(json);
    if (document.RootElement.ValueKind != JsonValueKind.Object)
    {
        throw new FormatException("expected an object of attributes");
    }

    var key = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
    foreach (var attribute in document.RootElement.EnumerateObject())
    {
        var typed = attribute.Value.ValueKind == JsonValueKind.Object ? attribute.Value.EnumerateObject().ToList() : [];
        if (typed is not [var single] || single.Value.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"{attribute.Name}: expected {{\"S\"|\"N\"|\"B\": \"...\"}}");
        }

        var text = single.Value.GetString()!;
        key[attribute.Name] = single.Name switch
        {
            "S" => new AttributeValue { S = text },
            "N" => new AttributeValue { N = text },
            "B" => new AttributeValue { B = new MemoryStream(Convert.FromBase64String(text)) },
            _ => throw new FormatException($"{attribute.Name}: key attributes are S, N or B, not {single.Name}"),
        };
    }

    return key.Count > 0 ? key : throw new FormatException("no attributes");
}
