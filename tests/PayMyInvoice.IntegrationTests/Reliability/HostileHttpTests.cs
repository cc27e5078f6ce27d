using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using PayMyInvoice.Local;
using PayMyInvoice.Local.Serverless;
using PayMyInvoice.StripeEmulator;
using PayMyInvoice.Tests;
using Xunit.Abstractions;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>
/// Issue 9, item 4 over the wire: generated hostile requests (CsCheck) to every HTTP route serverless.yml declares, sent
/// byte for byte over TCP to the local API gateway of fresh stages on DynamoDB Local (a new one after every 500 cases). Properties: never a 5xx; every
/// 4xx carries an error body (our <c>{"error":{"code",…}}</c>, or API Gateway's own <c>{"message":…}</c>; the payer's
/// public pay pages answer HTML pages by design); a request answered 4xx changes no item in any of the stage's tables (read from their streams);
/// the stack still serves a normal request afterwards. A failure names the shrunk request and the seed to replay it
/// (<c>CsCheck_Seed</c>).
/// </summary>
[Trait("Category", ReliabilityRun.Category)]
[Collection(LocalServicesCollection.Name)]
public sealed class HostileHttpTests(LocalServicesFixture local, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Alice = ApiCalls.Alice;
    private StripeEmulatorServer _stripe = null!;
    private LocalDeployment _deployment = null!;
    private LocalApiGateway _gateway = null!;
    private TableChanges _changes = null!;
    private readonly Dictionary<string, string> _real = new(StringComparer.Ordinal); // a real value per path parameter
    private string _cursor = "";

    /// <summary>
    /// Cases a stage serves before the next route segment moves to a fresh one. DynamoDB Local reads a stream shard from
    /// its start (an empty GetRecords took 70–145 ms once a shard held 2,000 records), so each case's write check stays
    /// cheap only while the stage is young; at 10,000 cases per route one stage grew to 2,000 invoices.
    /// </summary>
    private const int CasesPerStage = 500;

    private List<string> _tables = [];
    private int _casesOnStage;

    public async Task InitializeAsync()
    {
        _stripe = await StripeEmulatorServer.StartAsync();
        await NewStageAsync();
    }

    public async Task DisposeAsync()
    {
        await EndStageAsync();
        await _stripe.DisposeAsync();
    }

    /// <summary>A fresh stage, its gateway, a watch on its tables, and real values to tamper with.</summary>
    private async Task NewStageAsync()
    {
        if (_tables.Count > 0)
        {
            await EndStageAsync();
        }

        _deployment = await local.DeployFreshStageAsync(_stripe.BaseUrl);
        _gateway = await LocalApiGateway.StartAsync(_deployment); // no event sources: nothing writes but the requests
        _tables = _deployment.Config.ResourcesOfType("AWS::DynamoDB::Table").Select(t => _deployment.TableName(t.LogicalId)).ToList();
        _changes = await TableChanges.WatchAsync(_deployment, local.DynamoDb, _tables);
        _casesOnStage = 0;

        // Real values to tamper with: an invoice id, its pay token, a fee id and a list cursor.
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var open = Template("/invoices", "POST")[..^1] + ",\"status\":\"open\"}"; // an open invoice has a pay link
            var answer = await SendAsync(new Request("POST", "/invoices", [("X-PMI-Identity", Bytes(Alice)), ("Content-Type", Bytes("application/json"))], Bytes(open)));
            Assert.Equal(201, answer.Status);
            created.Add(JsonNode.Parse(answer.Body)!["invoiceId"]!.GetValue<string>());
        }

        var invoice = JsonNode.Parse((await SendAsync(new Request("GET", $"/invoices/{created[0]}", [("X-PMI-Identity", Bytes(Alice))], []))).Body)!;
        var payUrl = invoice["payUrl"]!.GetValue<string>();
        _real["id"] = created[0];
        _real["token"] = payUrl[(payUrl.LastIndexOf('/') + 1)..];
        var list = JsonNode.Parse((await SendAsync(new Request("GET", "/invoices?limit=1", [("X-PMI-Identity", Bytes(Alice))], []))).Body)!;
        _cursor = list["nextCursor"]!.GetValue<string>();
        var fee = await SendAsync(new Request("POST", "/billing", [("X-PMI-Identity", Bytes(Alice)), ("Content-Type", Bytes("application/json"))], Bytes(Template("/billing", "POST"))));
        Assert.Equal(202, fee.Status);
        _real["feeId"] = JsonNode.Parse(fee.Body)!["billingId"]!.GetValue<string>();

        // The watch sees writes: the three invoices and the fee (the check below is only as good as this).
        Assert.True((await _changes.TakeAsync()).Count >= 4);
    }

    /// <summary>Stops the stage's gateway and drops its tables (DynamoDB Local keeps every table in memory).</summary>
    private async Task EndStageAsync()
    {
        _changes.Dispose();
        await _gateway.DisposeAsync();
        foreach (var table in _tables)
        {
            await local.DynamoDb.DeleteTableAsync(table);
        }

        _tables = [];
    }

    [Fact]
    public async Task No_hostile_request_to_any_route_is_a_server_error_a_bodiless_4xx_or_a_write()
    {
        var routes = _deployment.Config.FunctionNames
            .SelectMany(name => _deployment.Config.Function(name).HttpRoutes.Select(route => (Function: name, Route: route with { Path = route.Path.TrimStart('/') })))
            .OrderBy(r => Rank(r.Route)) // the routes that end an invoice's life last, so the others meet a live one
            .ToList();
        Assert.True(routes.Count >= 12, $"serverless.yml declares {routes.Count} HTTP routes");
        var perRoute = ReliabilityRun.Pick(test: 150, quick: 400, full: 10_000);
        var figures = new Dictionary<string, RouteFigures>(StringComparer.Ordinal);
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();

        foreach (var (function, route) in routes)
        {
            var key = $"{route.Method.ToUpperInvariant()} /{route.Path}";
            var counts = figures[key] = new RouteFigures();
            var gen = Gen.Select(Gen.Int[0, Kinds - 1], Gen.Int[0, 1_000_000], (kind, variant) => new Case(kind, variant));
            try
            {
                for (var remaining = perRoute; remaining > 0; remaining -= CasesPerStage)
                {
                    if (_casesOnStage >= CasesPerStage)
                    {
                        await NewStageAsync();
                    }

                    // One thread: a change seen after a request is this request's own.
                    var segment = Math.Min(CasesPerStage, remaining);
                    await gen.SampleAsync(
                        async c => await CheckAsync(route, Build(route, c), counts),
                        iter: segment,
                        threads: 1,
                        print: c => $"{key} kind {c.Kind} variant {c.Variant}: {Build(route, c)}");
                    _casesOnStage += segment;
                }
            }
            catch (Exception error)
            {
                var why = error.InnerException?.Message ?? "";
                failures.Add($"{function} ({key}): {why}\n{error.Message}");
                output.WriteLine($"{function} ({key}) failed: {why}; replay with the seed in this message:\n{error.Message}");
            }
        }

        // The stack still serves a normal request.
        var after = await SendAsync(new Request("POST", "/invoices", [("X-PMI-Identity", Bytes(Alice)), ("Content-Type", Bytes("application/json"))], Bytes(Template("/invoices", "POST"))));
        var listed = await SendAsync(new Request("GET", "/invoices", [("X-PMI-Identity", Bytes(Alice))], []));

        var cases = figures.Values.Sum(f => f.Cases);
        var serverErrors = figures.Values.Sum(f => f.ServerErrors);
        var writesOnRejected = figures.Values.Sum(f => f.WritesOnRejected);
        var bodiless = figures.Values.Sum(f => f.RejectionsWithoutErrorBody);
        var refusedByHttpServer = figures.Values.Sum(f => f.RefusedByHttpServer);
        ReliabilityRun.Record("hostile", "http", new
        {
            cases,
            serverErrors,
            writesOnRejected,
            rejectionsWithoutErrorBody = bodiless,
            refusedByHttpServer,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
            routes = figures.ToDictionary(f => f.Key, f => new { f.Value.Cases, f.Value.ServerErrors, f.Value.WritesOnRejected, f.Value.RejectionsWithoutErrorBody, f.Value.RefusedByHttpServer, statuses = f.Value.Statuses }),
            failures,
        });
        output.WriteLine($"{cases} cases over {routes.Count} routes in {clock.Elapsed.TotalSeconds:F1} s; server errors {serverErrors}, writes on rejected {writesOnRejected}, 4xx without error body {bodiless}, refused by Kestrel as malformed HTTP (empty 400) {refusedByHttpServer}");
        foreach (var (route, f) in figures)
        {
            output.WriteLine($"  {route}: {f.Cases} cases, statuses {string.Join(", ", f.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        }

        Assert.True(serverErrors == 0, string.Join("\n\n", failures));
        Assert.True(writesOnRejected == 0, string.Join("\n\n", failures));
        Assert.True(bodiless == 0, string.Join("\n\n", failures));
        Assert.Empty(failures);
        Assert.Equal((201, 200), (after.Status, listed.Status));
    }

    private static int Rank(HttpRoute route) => route switch
    {
        { Method: "DELETE" } => 4,
        _ when route.Path.EndsWith("/void", StringComparison.Ordinal) => 3,
        _ when route.Path.EndsWith("/pay", StringComparison.Ordinal) => 2,
        _ when route.Path.StartsWith("pay/", StringComparison.Ordinal) => 0,
        _ => 1,
    };

    // ---- the wire fixes, one by one ----

    [Fact]
    public async Task Two_identity_headers_are_refused_as_a_bad_signature_never_merged()
    {
        var answer = await SendAsync(new Request("GET", "/invoices", [("X-PMI-Identity", Bytes(Alice)), ("X-PMI-Identity", Bytes(ApiCalls.Bob))], []));
        Assert.Equal(403, answer.Status);
        Assert.Contains("signature", JsonNode.Parse(answer.Body)!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(27)]
    [InlineData(127)]
    public async Task An_identity_with_a_control_character_is_refused(byte control)
    {
        var answer = await SendAsync(new Request("GET", "/invoices", [("X-PMI-Identity", [.. Bytes("us-east-1:a"), control, .. Bytes("b")])], []));
        Assert.Equal(403, answer.Status);
        Assert.NotNull(JsonNode.Parse(answer.Body)!["message"]);
    }

    [Fact]
    public async Task An_identity_longer_than_any_Cognito_identity_is_a_401_in_our_error_shape()
    {
        var answer = await SendAsync(new Request("GET", "/invoices", [("X-PMI-Identity", Bytes("us-east-1:" + new string('a', 3_000)))], []));
        Assert.Equal(401, answer.Status);
        Assert.Equal("unauthorized", JsonNode.Parse(answer.Body)!["error"]!["code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("GET", "/nowhere")]
    [InlineData("PATCH", "/invoices")]
    [InlineData("GET", "/invoices/a/b/c")]
    public async Task An_unknown_route_is_API_Gateways_403_Missing_Authentication_Token(string method, string target)
    {
        var answer = await SendAsync(new Request(method, target, [("X-PMI-Identity", Bytes(Alice))], []));
        Assert.Equal((403, "Missing Authentication Token"), (answer.Status, JsonNode.Parse(answer.Body)!["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_body_that_is_not_UTF8_reaches_the_function_as_its_bytes_and_is_a_400_malformed_body()
    {
        var answer = await SendAsync(new Request("POST", "/invoices", [("X-PMI-Identity", Bytes(Alice)), ("Content-Type", Bytes("application/json"))], [.. Bytes("{\"payerEmail\":\"a"), 0xFF, .. Bytes("@example.com\"}")]));
        Assert.Equal((400, "malformed_body"), (answer.Status, JsonNode.Parse(answer.Body)!["error"]!["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Headers_over_API_Gateways_limit_are_a_431_with_a_JSON_body()
    {
        var answer = await SendAsync(new Request("GET", "/invoices", [("X-PMI-Identity", Bytes(Alice)), ("X-Padding", Bytes(new string('p', 20_000)))], []));
        Assert.Equal(431, answer.Status);
        Assert.NotNull(JsonNode.Parse(answer.Body)!["message"]);
    }

    [Fact]
    public async Task A_request_line_over_API_Gateways_limit_is_a_414_with_a_JSON_body()
    {
        var answer = await SendAsync(new Request("GET", "/invoices?cursor=" + new string('c', 20_000), [("X-PMI-Identity", Bytes(Alice))], []));
        Assert.Equal(414, answer.Status);
        Assert.NotNull(JsonNode.Parse(answer.Body)!["message"]);
    }

    [Fact]
    public async Task A_body_over_API_Gateways_10_MB_is_a_413_with_a_JSON_body()
    {
        var answer = await SendAsync(new Request("POST", "/invoices", [("X-PMI-Identity", Bytes(Alice)), ("Content-Type", Bytes("application/json"))], new byte[(int)LocalApiGateway.MaxPayloadBytes + 1]));
        Assert.Equal(413, answer.Status);
        Assert.NotNull(JsonNode.Parse(answer.Body)!["message"]);
    }

    [Fact]
    public async Task A_validly_signed_webhook_that_is_not_a_Stripe_event_is_a_400()
    {
        foreach (var body in new[] { "{\"id\":\"evt_1\"}", "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\",\"data\":{}}", "not json" })
        {
            var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var answer = await SendAsync(new Request("POST", "/webhooks/stripe", [("Content-Type", Bytes("application/json")), ("Stripe-Signature", Bytes(StripeEmulatorServer.SignatureHeader(body, LocalDeployment.WebhookSecret, long.Parse(t, CultureInfo.InvariantCulture))))], Bytes(body)));
            Assert.Equal((400, "malformed_json"), (answer.Status, JsonNode.Parse(answer.Body)!["error"]!["code"]!.GetValue<string>()));
        }
    }

    [Fact]
    public async Task A_table_that_cannot_be_reached_is_a_503_with_Retry_After_within_the_functions_time_not_a_500()
    {
        // Refused (nothing listens) and unanswered (a listener that never reads: the SDK's own timeout).
        using var silent = new TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var cases = new[]
        {
            ("getInvoice", "http://127.0.0.1:9/", new Request("GET", $"/invoices/{_real["id"]}", [("X-PMI-Identity", Bytes(Alice))], [])),
            ("createInvoice", $"http://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}/", new Request("POST", "/invoices", [("X-PMI-Identity", Bytes(Alice)), ("Content-Type", Bytes("application/json"))], Bytes(Template("/invoices", "POST")))),
        };
        foreach (var (function, endpoint, request) in cases)
        {
            // serverless.yml's 10 s given explicitly: the SDK's budget (about 6.5 s) is sized for it, not for a scaled-down test timeout.
            _deployment.UpdateFunctionConfiguration(function, timeout: TimeSpan.FromSeconds(10), environment: new Dictionary<string, string> { ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint });
            var clock = Stopwatch.StartNew();
            var answer = await SendAsync(request);
            output.WriteLine($"{function} against {endpoint}: {answer.Status} in {clock.Elapsed.TotalSeconds:F1} s");
            Assert.Equal((503, "service_unavailable"), (answer.Status, JsonNode.Parse(answer.Body)!["error"]!["code"]!.GetValue<string>()));
            Assert.Equal("2", answer.Headers["Retry-After"]);
            // About 6.5 s by the SDK settings (DynamoDbClients); the contract is an answer inside the function's 10 s.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed} (the function has 10 s)");
        }
    }

    private async Task CheckAsync(HttpRoute route, Request request, RouteFigures counts)
    {
        var response = await SendAsync(request);
        var changes = await _changes.TakeAsync(); // this request's own: one request at a time, nothing else writes
        counts.Count(response.Status);
        if (response.Status is >= 500 or 0)
        {
            Interlocked.Increment(ref counts.ServerErrors);
            throw new InvalidOperationException($"answered {response.Status}: {Excerpt(response.Body)}");
        }

        if (response.Status is >= 400 and < 500)
        {
            if (response.Status == 400 && response.Body.Length == 0 && IsUnparseable(request))
            {
                // Kestrel refuses a NUL in a header or an encoded NUL in the path as malformed HTTP, before the gateway
                // sees the request: its 400 has no body and no hook gives it one (see LocalApiGateway). Counted apart.
                Interlocked.Increment(ref counts.RefusedByHttpServer);
            }
            else if (!HasErrorBody(route, response))
            {
                Interlocked.Increment(ref counts.RejectionsWithoutErrorBody);
                throw new InvalidOperationException($"answered {response.Status} without an error body ({response.ContentType}): {Excerpt(response.Body)}");
            }

            if (changes.Count > 0)
            {
                Interlocked.Increment(ref counts.WritesOnRejected);
                throw new InvalidOperationException($"answered {response.Status} but the tables changed ({string.Join("; ", changes)}): {Excerpt(response.Body)}");
            }
        }
    }

    /// <summary>What HTTP itself forbids and Kestrel refuses before any application code: NUL in a header, %00 in the path.</summary>
    private static bool IsUnparseable(Request request) =>
        request.Headers.Any(h => h.Value.Contains((byte)0))
        || request.Target.Split('?')[0].Contains("%00", StringComparison.Ordinal);

    /// <summary>Our error shape, or API Gateway's; the payer's public pages (pay/…) answer an HTML page instead.</summary>
    private static bool HasErrorBody(HttpRoute route, Response response)
    {
        if (!route.IamAuthorized && route.Path.StartsWith("pay/", StringComparison.Ordinal) && response.ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            return response.Body.Length > 0;
        }

        try
        {
            var body = JsonNode.Parse(response.Body);
            return body?["error"]?["code"]?.GetValueKind() == JsonValueKind.String || body?["message"]?.GetValueKind() == JsonValueKind.String;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Excerpt(byte[] body) => body.Length <= 300 ? Encoding.UTF8.GetString(body) : Encoding.UTF8.GetString(body, 0, 300) + "…";

    // ---- the generated requests ----

    private const int Kinds = 12;

    private sealed record Case(int Kind, int Variant);

    private sealed record Request(string Method, string Target, List<(string Name, byte[] Value)> Headers, byte[] Body)
    {
        public override string ToString()
        {
            var headers = string.Join("; ", Headers.Select(h => $"{h.Name}: {Show(h.Value)}"));
            return $"{Method} {Show(Encoding.UTF8.GetBytes(Target))} [{headers}] body {Body.Length} bytes: {Show(Body)}";
        }

        private static string Show(byte[] bytes)
        {
            var text = bytes.Length > 160 ? bytes[..160] : bytes;
            var shown = new StringBuilder();
            foreach (var b in text)
            {
                shown.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}");
            }

            return bytes.Length > 160 ? shown + "…" : shown.ToString();
        }
    }

    private sealed class RouteFigures
    {
        public int Cases;
        public int ServerErrors;
        public int WritesOnRejected;
        public int RejectionsWithoutErrorBody;
        public int RefusedByHttpServer;
        public Dictionary<int, int> Statuses { get; } = [];

        public void Count(int status)
        {
            lock (Statuses)
            {
                Cases++;
                Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
            }
        }
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A valid body for the route (so that one hostile part is what is wrong), or none.</summary>
    private string Template(string path, string method) => (method.ToUpperInvariant(), path) switch
    {
        ("POST", "/invoices") => """{"payerEmail":"payer@example.com","description":"Hostile test","amount":1500,"currency":"USD","dueDate":"2030-01-01"}""",
        ("PUT", _) => """{"payerEmail":"payer@example.com","description":"Hostile test","amount":1500,"currency":"USD","dueDate":"2030-01-01","version":1}""",
        ("POST", "/billing") => """{"txnType":"SubscriptionFee","txnQty":1,"paymentMethodId":"pm_card_visa"}""",
        ("POST", _) when path.EndsWith("/pay", StringComparison.Ordinal) => """{"paymentMethodId":"pm_card_visa"}""",
        ("POST", "/webhooks/stripe") => """{"id":"evt_hostile","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_hostile","object":"payment_intent","metadata":{}}}}""",
        _ => "",
    };

    private static readonly string[] OddText =
    [
        "\uFEFF", "\u202E", "\u0000", "\\u0000", "\\ud800", "\\udc00x", "\\ud800\\ud800", "\U0001F600", "e\u0301\u0301\u0301", "\u200D", "\u2028", "\u0007",
        "\t", "\r\n", "\u00A0", "\uFFFD", "\uFFFF", "\U000E0041", "\u061C", "\u00AD", "\\u202e", "\\ufeff", "\"", "\\", "</script>",
    ];

    private static readonly string[] OddNumbers =
    [
        "1e400", "-1e400", "9223372036854775808", "9223372036854775807", "-9223372036854775809", "18446744073709551616", "-1", "0", "-0",
        "1.5", "1500.0", "15e2", "1E2", "0x10", "NaN", "Infinity", "\"1500\"", "null", "true", "[]", "{}", "00", "1" + new string('0', 400),
    ];

    private static readonly string[] OddPathValues =
    [
        "%00", "..%2F..%2Fetc%2Fpasswd", "%2E%2E", "inv_%C3%A9", "%F0%9F%98%80", "%FF%FE", "%ZZ", "%E2%80%AE", "%EF%BB%BF", "%0A", "%20",
        "inv_0000000000000000000000000000000g", "inv_00000000000000000000000000000000", "fee_00000000000000000000000000000000", "INV_0", "%25%30%30",
        "inv_" + new string('a', 5_000), new string('x', 9_000), "a%2Fb", "null", "undefined", "%C0%AE", "%u0041",
    ];

    /// <summary>Control bytes for header values; CR and LF are left out: they end the header line (HTTP framing, not a value).</summary>
    private static readonly byte[] ControlBytes = [0, 1, 7, 8, 9, 11, 12, 27, 31, 127];

    private Request Build(HttpRoute route, Case c)
    {
        var random = new Random(c.Variant);
        T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
        var method = route.Method.ToUpperInvariant();
        var template = "/" + route.Path;
        var parameters = route.Path.Split('/').Where(s => s.StartsWith('{')).Select(s => s[1..^1]).ToList();
        string RealValue(string parameter) => parameter switch
        {
            "token" => _real["token"],
            "id" when route.Path.StartsWith("billing", StringComparison.Ordinal) => _real["feeId"],
            _ => _real["id"],
        };

        var pathValues = parameters.ToDictionary(p => p, RealValue);
        var query = "";
        var headers = new List<(string Name, byte[] Value)>();
        var identity = new List<byte[]> { Bytes(Alice) };
        var contentType = "application/json";
        var body = Template(template.Contains('{', StringComparison.Ordinal) && method == "PUT" ? "/invoices/{id}" : template, method);
        byte[]? rawBody = null;
        var webhook = route.Path == "webhooks/stripe";
        var signWebhook = webhook && random.Next(3) > 0;

        switch (c.Kind)
        {
            case 0: // identity
                identity = random.Next(9) switch
                {
                    0 => [],
                    1 => [Bytes("us-east-1:" + new string('a', random.Next(100, 3_000)))],
                    2 => [Bytes(Alice), Bytes(ApiCalls.Bob)],
                    3 => [Bytes(Alice + ", " + ApiCalls.Bob)],
                    4 => [[.. Bytes("us-east-1:"), Pick(ControlBytes), .. Bytes("aaaa")]],
                    5 => [Bytes("us-east-1:\u00FC\u202Eb")],
                    6 => [[]],
                    7 => [Bytes("us-east-1:a\x7Fb")],
                    _ => [Bytes(new string('x', random.Next(2_049, 8_000)))],
                };
                break;
            case 1 when parameters.Count > 0: // a path parameter
                pathValues[Pick(parameters)] = Pick(OddPathValues);
                break;
            case 2: // malformed JSON
                body = random.Next(8) switch
                {
                    0 => body.Length > 2 ? body[..random.Next(1, body.Length - 1)] : "{",
                    1 => body + "garbage",
                    2 => "{'payerEmail':'a'}",
                    3 => "{\"a\":1,}",
                    4 => "[" + body + "]",
                    5 => "\"" + body.Replace("\"", "", StringComparison.Ordinal) + "\"",
                    6 => "{\"a\":\"unterminated",
                    _ => "{" + new string(' ', random.Next(0, 100)) + "/* comment */}",
                };
                break;
            case 3: // deeply nested
                var depth = random.Next(65, 5_000);
                var open = random.Next(2) == 0 ? "[" : "{\"a\":";
                var close = open == "[" ? "]" : "}";
                body = random.Next(2) == 0
                    ? string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth))
                    : Splice(body, random, string.Concat(Enumerable.Repeat("[", depth)) + string.Concat(Enumerable.Repeat("]", depth)));
                break;
            case 4: // wrong types, huge numbers
                body = Splice(body, random, Pick(OddNumbers));
                break;
            case 5: // odd Unicode in a string
                body = SpliceText(body, random, string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(OddText))));
                break;
            case 6: // invalid UTF-8
                byte[][] bad = [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xF4, 0x90, 0x80, 0x80]];
                var text = Bytes(SpliceText(body.Length > 0 ? body : "{\"a\":\"b\"}", random, "\u0001"));
                var at = Array.IndexOf(text, (byte)1);
                rawBody = [.. text[..at], .. Pick(bad), .. text[(at + 1)..]];
                break;
            case 7: // oversized
                var size = random.Next(20) == 0 ? random.Next(1_000_000, 3_000_000) : random.Next(64 * 1024, 200_000);
                body = random.Next(2) == 0 ? SpliceText(body.Length > 0 ? body : "{\"a\":\"b\"}", random, new string('x', size)) : "[" + string.Join(",", Enumerable.Repeat("1", size / 2)) + "]";
                break;
            case 8: // base64 of the body (API Gateway would only decode it for a binary media type)
                body = Convert.ToBase64String(Bytes(body.Length > 0 ? body : "{}"));
                contentType = Pick(["application/json", "application/octet-stream", "text/plain"]);
                break;
            case 9: // tampered cursors, pay tokens, queries, Idempotency-Key
                if (route.Path == "invoices" && method == "GET")
                {
                    query = "?" + random.Next(6) switch
                    {
                        0 => "cursor=" + Tamper(_cursor, random),
                        1 => "cursor=" + Uri.EscapeDataString(Base64Url(Pick(["inv_" + new string('g', 32), _real["id"] + "\0", _real["feeId"], "", "inv_" + new string('0', 2_000), "\uFEFF" + _real["id"]]))),
                        2 => "limit=" + Uri.EscapeDataString(Pick(OddNumbers)),
                        3 => "status=" + Pick(["%00", "paid%00", "PAID", "%E2%80%AE", "open&status=paid", new string('s', 3_000)]),
                        4 => "cursor=" + new string('A', random.Next(65, 5_000)),
                        _ => "limit=1&limit=2&cursor=%FF&cursor=" + _cursor,
                    };
                }
                else if (parameters.Contains("token"))
                {
                    pathValues["token"] = Tamper(_real["token"], random);
                }
                else
                {
                    headers.Add(("Idempotency-Key", random.Next(4) switch
                    {
                        0 => Bytes(new string('k', random.Next(256, 5_000))),
                        1 => [.. Bytes("key-"), Pick(ControlBytes)],
                        2 => Bytes("clé-\u202E"),
                        _ => [],
                    }));
                }

                break;
            case 10: // content type
                contentType = Pick(["", "text/plain", "application/json; charset=utf-16", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json\u00A0", "*/*"]);
                break;
            case 11 when webhook: // validly signed, not a Stripe event
                body = Pick(["{}", "[]", "null", "{\"id\":\"evt_1\"}", "{\"type\":\"x\",\"data\":{\"object\":{}}}", "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":[]}}", "{\"id\":1,\"type\":2,\"data\":3}", body[..^1]]);
                signWebhook = true;
                break;
            default: // a control case: the request as a client would send it
                break;
        }

        var target = template;
        foreach (var (name, value) in pathValues)
        {
            target = target.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }

        rawBody ??= method == "GET" && c.Kind is not (3 or 6 or 7) ? [] : Bytes(body);
        if (route.IamAuthorized)
        {
            headers.AddRange(identity.Select(i => ("X-PMI-Identity", i)));
        }

        if (contentType.Length > 0 && rawBody.Length > 0)
        {
            headers.Add(("Content-Type", Bytes(contentType)));
        }

        if (webhook)
        {
            var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var header = signWebhook
                ? $"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Bytes(LocalDeployment.WebhookSecret), (byte[])[.. Bytes(t + "."), .. rawBody]))}"
                : Pick(["t=abc,v1=" + new string('0', 64), "t=,v1=", "t=2147483648,v1=" + new string('a', 64), $"t={t}", "v1=zz", "", $"t={t},v1={new string('0', 64)}"]);
            headers.Add(("Stripe-Signature", Bytes(header)));
        }

        return new Request(method, target + query, headers, rawBody);
    }

    /// <summary>Replaces one value of the JSON body (or adds a field) with <paramref name="json"/>.</summary>
    private static string Splice(string body, Random random, string json)
    {
        if (body.Length == 0 || JsonNode.Parse(body) is not JsonObject node)
        {
            return "{\"x\":" + json + "}";
        }

        var names = node.Select(p => p.Key).Append("unknownField").ToList();
        var name = names[random.Next(names.Count)];
        node.Remove(name);
        var text = node.ToJsonString();
        return text[..^1] + (node.Count > 0 ? "," : "") + JsonSerializer.Serialize(name) + ":" + json + "}";
    }

    /// <summary>Puts <paramref name="raw"/> (already JSON-escaped where it means an escape) into one string value of the body.</summary>
    private static string SpliceText(string body, Random random, string raw)
    {
        var escaped = raw.Replace("\"", "\\\"", StringComparison.Ordinal);
        if (raw.Contains('\\', StringComparison.Ordinal) && !raw.Contains('"', StringComparison.Ordinal))
        {
            escaped = raw; // deliberate JSON escapes such as \ud800
        }

        return Splice(body, random, "\"" + (random.Next(2) == 0 ? "payer@example.com" : "") + escaped + "\"");
    }

    private static string Tamper(string value, Random random)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var chars = value.ToCharArray();
        switch (random.Next(6))
        {
            case 0:
                var i = random.Next(chars.Length);
                chars[i] = alphabet[(alphabet.IndexOf(chars[i], StringComparison.Ordinal) + 1 + random.Next(alphabet.Length - 1)) % alphabet.Length];
                return new string(chars);
            case 1:
                return value[..random.Next(value.Length)];
            case 2:
                return value + alphabet[random.Next(alphabet.Length)];
            case 3:
                return value.ToUpperInvariant();
            case 4:
                return value + "%00";
            default:
                return value + new string('A', random.Next(100, 3_000));
        }
    }

    private static string Base64Url(string text) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    // ---- a raw HTTP/1.1 client: what a hostile client sends, byte for byte (repeated headers, control bytes, any body) ----

    private sealed record Response(int Status, string ContentType, byte[] Body)
    {
        public Dictionary<string, string> Headers { get; init; } = [];
    }

    private async Task<Response> SendAsync(Request request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(_gateway.BaseUrl.Host, _gateway.BaseUrl.Port, timeout.Token);
        var stream = tcp.GetStream();
        var head = new MemoryStream();
        void Write(byte[] bytes) => head.Write(bytes);
        Write(Encoding.ASCII.GetBytes($"{request.Method} "));
        Write(Bytes(request.Target));
        Write(Encoding.ASCII.GetBytes($" HTTP/1.1\r\nHost: {_gateway.BaseUrl.Authority}\r\nConnection: close\r\nContent-Length: {request.Body.Length}\r\n"));
        foreach (var (name, value) in request.Headers)
        {
            Write(Encoding.ASCII.GetBytes(name + ": "));
            Write(value);
            Write("\r\n"u8.ToArray());
        }

        Write("\r\n"u8.ToArray());
        try
        {
            await stream.WriteAsync(head.ToArray(), timeout.Token);
            await stream.WriteAsync(request.Body, timeout.Token);
        }
        catch (IOException)
        {
            // the server may answer and close before taking all of a large body: read what it said
        }

        var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, timeout.Token);
        }
        catch (IOException)
        {
            // a reset after the answer
        }

        return Parse(received.ToArray());
    }

    private static Response Parse(byte[] raw)
    {
        var end = raw.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return new Response(0, "", raw); // no answer at all: as bad as a 5xx
        }

        var lines = Encoding.Latin1.GetString(raw, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2).GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last()[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = raw[(end + 4)..];
        if (headers.GetValueOrDefault("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            var decoded = new MemoryStream();
            var at = 0;
            while (at < body.Length)
            {
                var lineEnd = body.AsSpan(at).IndexOf("\r\n"u8);
                var size = int.Parse(Encoding.ASCII.GetString(body, at, lineEnd).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    break;
                }

                decoded.Write(body, at + lineEnd + 2, size);
                at += lineEnd + 2 + size + 2;
            }

            body = decoded.ToArray();
        }

        return new Response(status, headers.GetValueOrDefault("Content-Type") ?? "", body) { Headers = headers };
    }
}
