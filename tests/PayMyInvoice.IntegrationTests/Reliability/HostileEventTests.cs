using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SQS;
using Amazon.SQS.Model;
using CsCheck;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.ScheduledEvents;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Lambda;
using PayMyInvoice.Local;
using PayMyInvoice.Local.Serverless;
using PayMyInvoice.StripeEmulator;
using PayMyInvoice.Tests;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>
/// Hostile input for every event-driven function (issue 9, item 4): CsCheck builds batches of malformed, mistyped,
/// oversized and irrelevant records around one good record, and each batch is invoked in-process as its event source
/// would. The properties: no invocation fails as a whole (an unhandled exception fails every record of the batch), the
/// good record succeeds and its effect is visible, a malformed record is reported in <c>batchItemFailures</c> (so it
/// reaches the dead-letter queue with its reason rather than being dropped), an irrelevant one is acknowledged, and no
/// hostile record writes anything: no invoice item, no Stripe PaymentIntent, no email, no published event.
/// Scheduled functions (and warm-up pings) take any payload without crashing their host: a payload that is not the
/// event is rejected as bad JSON, never with another exception, and the next invocation runs.
/// </summary>
[Trait("Category", ReliabilityRun.Category)]
[Collection(LocalServicesCollection.Name)]
public sealed class HostileEventTests(LocalServicesFixture local) : IAsyncLifetime
{
    private const string Domain = "hostile.test";
    private StripeEmulatorServer _stripe = null!;
    private LocalDeployment _deployment = null!;
    private AmazonSQSClient _sqs = null!;
    private DynamoDbInvoiceStore _store = null!;
    private string _tapUrl = "";

    public async Task InitializeAsync()
    {
        _stripe = await StripeEmulatorServer.StartAsync();
        // At serverless.yml's own timings: this test judges what each record leads to, so every batch must get the
        // time it has when deployed. At the tests' usual scale a notifications batch has 5 s, and with its 3 s reserve
        // and the 1 s cancellation it starts no record after 2 s: a batch of ten emails on a busy machine then hands its
        // unstarted records back to the queue, as it should (DeadlineTests), which here would read as a foreign record
        // reported failed. Nothing in this test waits on a queue's timing.
        _deployment = await local.DeployFreshStageAsync(_stripe.BaseUrl, timeScale: 1);
        _sqs = _deployment.Sqs();
        _store = new DynamoDbInvoiceStore(local.DynamoDb, _deployment.TableName("InvoicesTable"));

        // A tap on the invoice-events topic, without a filter: everything the stream worker publishes lands here.
        var tap = "tap-" + _deployment.Config.Stage;
        _tapUrl = (await _sqs.CreateQueueAsync(tap)).QueueUrl;
        using var sns = _deployment.Sns();
        await sns.CallAsync("Subscribe", new Dictionary<string, string>
        {
            ["TopicArn"] = _deployment.Arn(new Dictionary<string, object?> { ["Ref"] = "InvoiceEventsTopic" }),
            ["Protocol"] = "sqs",
            ["Endpoint"] = $"arn:aws:sqs:{_deployment.Config.Region}:{ServerlessConfig.LocalAccountId}:{tap}",
            ["Attributes.entry.1.key"] = "RawMessageDelivery",
            ["Attributes.entry.1.value"] = "true",
        }, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _sqs.Dispose();
        await _stripe.DisposeAsync();
    }

    /// <summary>What a hostile record must lead to.</summary>
    private enum Expect
    {
        /// <summary>Malformed: it can never succeed, so it is reported and ends in the dead-letter queue.</summary>
        Fail,

        /// <summary>Well formed but not for this worker (an unknown event type, an object we did not create): acknowledged.</summary>
        Ack,

        /// <summary>Well formed but naming nothing that exists, or with values a store refuses: either, never a write.</summary>
        Either,
    }

    private sealed record Hostile(string Kind, Expect Expect, string? Body);

    private sealed class Tally
    {
        public int Cases;
        public int Records;
        public int Reported;
        public int Acknowledged;
        public int ServerErrors;
        public int WritesOnRejected;
        public int Violations;
        public double Seconds;
        public double SlowestBatchMs;
        public Dictionary<string, int> Kinds { get; } = new(StringComparer.Ordinal);
    }

    private readonly Dictionary<string, Tally> _tallies = new(StringComparer.Ordinal);
    private readonly List<string> _violations = [];

    private Tally TallyFor(string function) => _tallies.TryGetValue(function, out var t) ? t : _tallies[function] = new Tally();

    private void Violation(string function, string what)
    {
        TallyFor(function).Violations++;
        if (_violations.Count < 20)
        {
            _violations.Add($"{function}: {what}");
        }
    }

    [Fact]
    public async Task Hostile_records_fail_alone_and_never_crash_a_worker_or_its_host()
    {
        var cases = ReliabilityRun.Pick(test: 100, quick: 300, full: 10_000);
        var clock = Stopwatch.StartNew();

        await TimedAsync("invoiceStream", () => StreamAsync(cases));
        await TimedAsync("notifications", () => NotificationsAsync(cases));
        await TimedAsync("billingWorker", () => BillingAsync(cases));
        await TimedAsync("paymentEvents", () => PaymentEventsAsync(cases));
        foreach (var function in new[] { "overdueInvoices", "reconcilePayments" })
        {
            await TimedAsync(function, () => ScheduledAsync(function, cases));
        }

        var total = _tallies.Values.Sum(t => t.Cases);
        var serverErrors = _tallies.Values.Sum(t => t.ServerErrors);
        var writesOnRejected = _tallies.Values.Sum(t => t.WritesOnRejected);
        ReliabilityRun.Record("hostile", "events", new
        {
            cases = total,
            serverErrors,
            writesOnRejected,
            violations = _tallies.Values.Sum(t => t.Violations),
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
            functions = _tallies.ToDictionary(t => t.Key, t => new
            {
                cases = t.Value.Cases,
                records = t.Value.Records,
                reported = t.Value.Reported,
                acknowledged = t.Value.Acknowledged,
                serverErrors = t.Value.ServerErrors,
                writesOnRejected = t.Value.WritesOnRejected,
                violations = t.Value.Violations,
                seconds = Math.Round(t.Value.Seconds, 1),
                slowestBatchMs = Math.Round(t.Value.SlowestBatchMs),
                kinds = t.Value.Kinds,
            }),
            firstViolations = _violations,
        });

        Assert.True(_violations.Count == 0, string.Join('\n', _violations));
        Assert.Equal(0, serverErrors);
        Assert.Equal(0, writesOnRejected);
    }

    /// <summary>One invocation, its time kept as the function's slowest when it is: a hostile record that makes a batch
    /// slow enough to run into its deadline shows here.</summary>
    private async Task<(InvocationOutcome Outcome, double Ms)> InvokeTimedAsync(string function, byte[] payload)
    {
        var clock = Stopwatch.StartNew();
        var outcome = await _deployment.InvokeAsync(function, payload, CancellationToken.None);
        var took = clock.Elapsed.TotalMilliseconds;
        var tally = TallyFor(function);
        tally.SlowestBatchMs = Math.Max(tally.SlowestBatchMs, took);
        return (outcome, took);
    }

    private async Task TimedAsync(string function, Func<Task> run)
    {
        var clock = Stopwatch.StartNew();
        await run();
        TallyFor(function).Seconds = clock.Elapsed.TotalSeconds;
    }

    // ---- generators -------------------------------------------------------------------------------------------

    /// <summary>Strings that have broken parsers, stores and mail headers: empty, control characters, lone surrogates,
    /// right-to-left overrides, astral characters, and sizes up to 70 000 characters.</summary>
    private static readonly Gen<string> Weird = Gen.OneOf<string>(
        Gen.OneOf("", " ", "\0", "\u0001\u001f", "\ud800", "\udfff\ud800", "\u202eevil\u202c", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🧾💸", "e\u0301\u0301\u0301",
            "null", "{}", "[]", "\"", "\\", "<script>alert(1)</script>", "' OR 1=1 --", "\r\nBcc: victim@example.com", "%s%n", "${jndi:ldap://x}"),
        Gen.String,
        Gen.Char.Array[1_000, 70_000].Select(c => new string(c)),
        Gen.Char['a', 'z'].Array[2_049, 5_000].Select(c => new string(c)));

    /// <summary>A JSON value of some other type than a field expects.</summary>
    private static readonly Gen<JsonNode?> WrongValue = Gen.OneOf<JsonNode?>(
        Gen.Const<JsonNode?>(() => null),
        Gen.Long.Select(n => (JsonNode?)JsonValue.Create(n)),
        Gen.Double.Where(double.IsFinite).Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Const<JsonNode?>(() => new JsonArray(1, "two", null)),
        Gen.Const<JsonNode?>(() => new JsonObject { ["nested"] = new JsonObject { ["S"] = "x" } }),
        Gen.OneOf("1e400", "-99999999999999999999999999999", "0x1F", "NaN").Select(raw => (JsonNode?)JsonValue.Create("__raw__" + raw)));

    /// <summary>JSON text, with <c>"__raw__x"</c> strings replaced by the bare token x (numbers JsonNode cannot hold).</summary>
    private static string Text(JsonNode node)
    {
        var json = node.ToJsonString();
        var start = json.IndexOf("\"__raw__", StringComparison.Ordinal);
        while (start >= 0)
        {
            var end = json.IndexOf('"', start + 8);
            json = json[..start] + json[(start + 8)..end] + json[(end + 1)..];
            start = json.IndexOf("\"__raw__", StringComparison.Ordinal);
        }

        return json;
    }

    private static JsonObject InvoiceEvent(string eventId, string eventType, JsonObject invoice) => new()
    {
        ["eventId"] = eventId,
        ["eventType"] = eventType,
        ["eventVersion"] = 1,
        ["occurredAt"] = "2026-11-27T10:00:00+00:00",
        ["invoice"] = invoice,
    };

    private static JsonObject Snapshot(string invoiceId, string userId, string payerEmail, string status, long amount = 1500, JsonObject? payment = null)
    {
        var snapshot = new JsonObject
        {
            ["invoiceId"] = invoiceId,
            ["userId"] = userId,
            ["payerEmail"] = payerEmail,
            ["description"] = "Hostile test",
            ["amount"] = amount,
            ["currency"] = "USD",
            ["dueDate"] = "2026-12-31",
            ["status"] = status,
            ["version"] = 2,
        };
        if (payment is not null)
        {
            snapshot["payment"] = payment;
        }

        return snapshot;
    }

    private static readonly string[] EventFields = ["eventId", "eventType", "occurredAt", "invoice"];
    private static readonly string[] SnapshotFields = ["invoiceId", "userId", "payerEmail", "description", "amount", "currency", "dueDate", "status", "version"];

    /// <summary>
    /// Hostile invoice-event bodies for a queue worker whose own event types are <paramref name="known"/>; every
    /// malformed or foreign one is addressed to <c>bad-…@hostile.test</c>, so an email sent for one is a write on a
    /// rejected record.
    /// </summary>
    private static Gen<Hostile> HostileInvoiceEvents(string[] known) =>
        Gen.Int[0, 9].SelectMany(kind => Gen.Int[0, int.MaxValue].SelectMany(n => Gen.OneOf(known).SelectMany(type => Weird.SelectMany(weird => WrongValue.SelectMany(wrong => Gen.Int[0, 100].Select(pick =>
        {
            var invoiceId = "inv_hostile" + n.ToString(CultureInfo.InvariantCulture);
            var bad = $"bad-{n}@{Domain}";
            JsonObject Base(string t, string? address = null) => InvoiceEvent($"hostile{n}:{t}", t, Snapshot(invoiceId, "hostile-user", address ?? bad, "processing", payment: new JsonObject { ["paymentId"] = "pay_hostile" + n, ["paymentMethodId"] = "pm_card_visa" }));
            switch (kind)
            {
                case 0: // not JSON, or not an object
                    return new Hostile("not-an-object", Expect.Fail, pick % 2 == 0 ? new[] { "not json", "[]", "42", "null", "{", "\"x\"" }[pick % 6] : weird);
                case 1: // a required field missing
                {
                    var evt = Base(type);
                    var field = EventFields[pick % EventFields.Length];
                    evt.Remove(field);
                    return new Hostile("missing-" + field, Expect.Fail, evt.ToJsonString());
                }

                case 2: // a required snapshot field missing
                {
                    var evt = Base(type);
                    var field = SnapshotFields[pick % SnapshotFields.Length];
                    evt["invoice"]!.AsObject().Remove(field);
                    return new Hostile("missing-invoice." + field, Expect.Fail, evt.ToJsonString());
                }

                case 3: // a field of the wrong JSON type (a string where a number is expected and the reverse, objects, arrays)
                {
                    var evt = Base(type);
                    var field = new[] { "eventType", "occurredAt", "invoice", "eventVersion" }[pick % 4];
                    var value = field == "eventType" && wrong is null ? new JsonArray() : wrong?.DeepClone() ?? new JsonObject();
                    evt[field] = field == "eventVersion" && value.ToJsonString() == "1" ? "one" : value; // 1 (or 1.0) is the valid version, not a wrong one
                    return new Hostile("mistyped-" + field, Expect.Fail, Text(evt));
                }

                case 4: // a snapshot number given as text, or a snapshot text given as an object
                {
                    var evt = Base(type);
                    var invoice = evt["invoice"]!.AsObject();
                    if (pick % 2 == 0)
                    {
                        invoice["amount"] = "1500 dollars";
                    }
                    else
                    {
                        invoice[new[] { "invoiceId", "userId", "payerEmail", "currency" }[pick % 4]] = new JsonObject { ["S"] = weird };
                    }

                    return new Hostile("mistyped-invoice-field", Expect.Fail, evt.ToJsonString());
                }

                case 5: // a version this worker does not know
                {
                    var evt = Base(type);
                    evt["eventVersion"] = new[] { 0, 2, 99, -1, int.MaxValue }[pick % 5];
                    return new Hostile("unknown-version", Expect.Fail, evt.ToJsonString());
                }

                case 6: // SNS's envelope without the message, or with a message that is not text
                {
                    var envelope = new JsonObject { ["Type"] = "Notification", ["MessageId"] = Guid.NewGuid().ToString(), ["TopicArn"] = "arn:aws:sns:us-east-1:123456789012:x" };
                    if (pick % 2 == 0)
                    {
                        envelope["Message"] = wrong?.DeepClone() ?? new JsonObject();
                    }

                    return new Hostile(pick % 2 == 0 ? "envelope-mistyped-message" : "envelope-without-message", Expect.Fail, Text(envelope));
                }

                case 7: // a malformed event inside SNS's envelope (without MessageAttributes)
                {
                    var evt = Base(type);
                    evt.Remove("invoice");
                    return new Hostile("envelope-malformed-message", Expect.Fail, new JsonObject { ["Type"] = "Notification", ["Message"] = evt.ToJsonString() }.ToJsonString());
                }

                case 8: // well formed, of a type this worker does not handle, with odd text where text is free
                {
                    var evt = Base(pick % 2 == 0 ? "InvoiceExploded" : weird.Length is > 0 and < 200 ? weird : "Unknown");
                    evt["invoice"]!["description"] = weird;
                    return new Hostile("unknown-type", Expect.Ack, evt.ToJsonString());
                }

                default: // well formed, about an invoice that does not exist, with odd identifiers (the notifications
                         // worker reads no table, so for it this is a valid event and its email is right)
                {
                    var evt = Base(type, $"either-{n}@{Domain}");
                    var invoice = evt["invoice"]!.AsObject();
                    invoice[pick % 2 == 0 ? "invoiceId" : "userId"] = weird;
                    evt["eventId"] = pick % 3 == 0 ? weird : evt["eventId"]!.GetValue<string>();
                    return new Hostile("unknown-invoice", Expect.Either, evt.ToJsonString());
                }
            }
        }))))));

    /// <summary>SQS records as Lambda hands them over, optional fields sometimes missing; the good one at a random place.</summary>
    private static List<SQSEvent.SQSMessage> Records(IReadOnlyList<string?> bodies, int seed)
    {
        var random = new Random(seed);
        return bodies.Select(body => new SQSEvent.SQSMessage
        {
            MessageId = Guid.NewGuid().ToString(),
            ReceiptHandle = random.Next(4) == 0 ? null : "AQEB" + Guid.NewGuid().ToString("N"),
            Body = body,
            Md5OfBody = random.Next(3) == 0 ? null : "0",
            EventSource = random.Next(4) == 0 ? null : "aws:sqs",
            EventSourceArn = random.Next(4) == 0 ? null : "arn:aws:sqs:us-east-1:123456789012:queue",
            AwsRegion = random.Next(4) == 0 ? null : "us-east-1",
            Attributes = random.Next(3) == 0 ? null! : new Dictionary<string, string> { ["ApproximateReceiveCount"] = "1" },
            MessageAttributes = random.Next(3) == 0 ? null! : new Dictionary<string, SQSEvent.MessageAttribute> { ["eventType"] = new() { DataType = "String", StringValue = "x" } },
        }).ToList();
    }

    // ---- queue workers ----------------------------------------------------------------------------------------

    /// <summary>
    /// Invokes one batch of a queue worker: the good body at a random place among the hostile ones. Checks the batch
    /// response and returns whether the good record was acknowledged.
    /// </summary>
    private async Task<bool> InvokeQueueBatchAsync(string function, string goodBody, IReadOnlyList<Hostile> hostile, int seed)
    {
        var tally = TallyFor(function);
        tally.Cases++;
        var at = seed % (hostile.Count + 1);
        var bodies = hostile.Select(h => h.Body).ToList();
        bodies.Insert(at, goodBody);
        var records = Records(bodies, seed);
        tally.Records += records.Count;
        foreach (var h in hostile)
        {
            tally.Kinds[h.Kind] = tally.Kinds.GetValueOrDefault(h.Kind) + 1;
        }

        var (outcome, took) = await InvokeTimedAsync(function, JsonSerializer.SerializeToUtf8Bytes(new SQSEvent { Records = records }, ContractsJsonContext.Wire.SQSEvent));
        if (outcome.Error is not null)
        {
            tally.ServerErrors++;
            Violation(function, $"the batch failed as a whole: {outcome.Error.GetType().Name}: {Shorten(outcome.Error.Message)}; kinds {string.Join(",", hostile.Select(h => h.Kind))}; the batch of {records.Count} took {took:0} ms");
            return false;
        }

        var reported = (JsonSerializer.Deserialize(outcome.Response, ContractsJsonContext.Wire.SQSBatchResponse)?.BatchItemFailures ?? [])
            .Select(f => f.ItemIdentifier).ToHashSet(StringComparer.Ordinal);
        var goodAcknowledged = !reported.Contains(records[at].MessageId);
        if (!goodAcknowledged)
        {
            Violation(function, $"the good record was reported failed; kinds {string.Join(",", hostile.Select(h => h.Kind))}; the batch of {records.Count} took {took:0} ms");
        }

        for (var i = 0; i < hostile.Count; i++)
        {
            var record = records[i < at ? i : i + 1];
            var failed = reported.Contains(record.MessageId);
            tally.Reported += failed ? 1 : 0;
            tally.Acknowledged += failed ? 0 : 1;
            if (hostile[i].Expect == Expect.Fail && !failed)
            {
                Violation(function, $"a malformed record ({hostile[i].Kind}) was acknowledged, so it is lost instead of dead-lettered: {Shorten(hostile[i].Body)}");
            }
            else if (hostile[i].Expect == Expect.Ack && failed)
            {
                Violation(function, $"a record for another worker ({hostile[i].Kind}) was reported failed, so it would loop to the DLQ: {Shorten(hostile[i].Body)}; the batch of {records.Count} took {took:0} ms");
            }
        }

        if (reported.Except(records.Select(r => r.MessageId)).Any())
        {
            Violation(function, "reported an identifier it was not given");
        }

        return goodAcknowledged;
    }

    private static Gen<(int Seed, Hostile[] Hostile)> Batches(Gen<Hostile> hostile, int maxHostile) =>
        Gen.Int[0, int.MaxValue].SelectMany(seed => hostile.Array[1, maxHostile].Select(h => (seed, h)));

    private async Task NotificationsAsync(int cases)
    {
        var good = new List<string>();
        var n = 0;
        await Batches(HostileInvoiceEvents(["InvoiceIssued", "PaymentSucceeded", "PaymentFailed", "InvoiceOverdue"]), 9).SampleAsync(async batch =>
        {
            var address = $"good-{Interlocked.Increment(ref n)}-{batch.Seed}@{Domain}";
            var evt = InvoiceEvent($"good{batch.Seed}-{n}:InvoiceIssued", "InvoiceIssued", Snapshot("inv_good" + n, "good-user", address, "open"));
            var body = batch.Seed % 3 == 0 ? new JsonObject { ["Type"] = "Notification", ["Message"] = evt.ToJsonString() }.ToJsonString() : evt.ToJsonString();
            if (await InvokeQueueBatchAsync("notifications", body, batch.Hostile, batch.Seed))
            {
                good.Add(address);
            }
        }, iter: cases, threads: 1);

        // Counted on maildev's side: one email to each good address, none to any hostile one.
        var inbox = await InboxAsync();
        var tally = TallyFor("notifications");
        foreach (var address in good.Where(a => inbox.GetValueOrDefault(a) != 1))
        {
            Violation("notifications", $"{address} got {inbox.GetValueOrDefault(address)} emails, not 1");
        }

        tally.WritesOnRejected += inbox.Where(m => m.Key.StartsWith("bad-", StringComparison.Ordinal)).Sum(m => m.Value);
    }

    private async Task<Dictionary<string, int>> InboxAsync()
    {
        using var http = new HttpClient();
        var all = (await http.GetFromJsonAsync<JsonArray>(new Uri(local.Services.Inbox, "/email")))!;
        return all.SelectMany(m => m!["to"]!.AsArray().Select(t => t!["address"]!.GetValue<string>().ToLowerInvariant()))
            .Where(a => a.EndsWith("@" + Domain, StringComparison.Ordinal))
            .GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>An invoice waiting in processing for a card payment, as payInvoice leaves it.</summary>
    private async Task<PayMyInvoice.Core.Invoices.Invoice> ProcessingInvoiceAsync(long amount)
    {
        var created = await _deployment.HttpAsync("createInvoice", ApiCalls.Event("POST", "/invoices", body: ApiCalls.NewInvoice(amount: amount).ToJsonString()));
        var id = created["invoiceId"]!.GetValue<string>();
        await _deployment.HttpAsync("payInvoice", ApiCalls.Event("POST", $"/invoices/{id}/pay", body: new JsonObject { ["paymentMethodId"] = "pm_card_visa" }.ToJsonString(), id: id));
        return (await _store.GetAsync(ApiCalls.Alice, id, default))!;
    }

    private async Task BillingAsync(int cases)
    {
        var table = _deployment.TableName("InvoicesTable");
        var items = await local.CountItemsAsync(table);
        var intents = _stripe.PaymentIntents.Count;
        var created = 0;
        var goodAcked = 0;
        var paid = new List<string>();
        var n = 0;
        await Batches(HostileInvoiceEvents(["PaymentRequested", "InvoiceVoided", "InvoiceDeleted"]), 4).SampleAsync(async batch =>
        {
            var amount = 1000 + Interlocked.Increment(ref n);
            var invoice = await ProcessingInvoiceAsync(amount);
            created++;
            var evt = InvoiceEvent($"good{n}:PaymentRequested", "PaymentRequested", Snapshot(invoice.InvoiceId, invoice.UserId, invoice.Details.PayerEmail, "processing", amount,
                new JsonObject { ["paymentId"] = invoice.Payment!.PaymentId, ["paymentMethodId"] = "pm_card_visa" }));
            if (await InvokeQueueBatchAsync("billingWorker", evt.ToJsonString(), batch.Hostile, batch.Seed))
            {
                goodAcked++;
                paid.Add(invoice.InvoiceId);
            }
        }, iter: cases, threads: 1);

        var tally = TallyFor("billingWorker");
        var statuses = await Task.WhenAll(paid.Select(async id => (await _store.GetAsync(ApiCalls.Alice, id, default))!.Status.ToString()));
        foreach (var status in statuses.Where(s => s != "Paid"))
        {
            Violation("billingWorker", $"a good payment request left its invoice {status}");
        }

        // One PaymentIntent per good record and no item beyond the invoices the cases created.
        tally.WritesOnRejected += Math.Max(0, _stripe.PaymentIntents.Count - intents - goodAcked);
        tally.WritesOnRejected += Math.Max(0, await local.CountItemsAsync(table) - items - created);
    }

    private static Gen<Hostile> HostileStripeEvents() =>
        Gen.Int[0, 7].SelectMany(kind => Gen.Int[0, int.MaxValue].SelectMany(n => Weird.SelectMany(weird => WrongValue.SelectMany(wrong => Gen.Int[0, 100].Select(pick =>
        {
            JsonObject Base(string type, JsonNode? metadata) => new()
            {
                ["id"] = "evt_hostile" + n,
                ["object"] = "event",
                ["api_version"] = pick % 5 == 0 ? weird : "2026-10-28.endive",
                ["type"] = type,
                ["data"] = new JsonObject
                {
                    ["object"] = new JsonObject
                    {
                        ["id"] = "pi_hostile" + n,
                        ["object"] = "payment_intent",
                        ["status"] = "succeeded",
                        ["metadata"] = metadata,
                    },
                },
            };
            JsonObject Ours() => new() { ["invoiceId"] = "inv_hostile" + n, ["userId"] = "hostile-user", ["paymentId"] = "pay_hostile" + n };
            switch (kind)
            {
                case 0:
                    return new Hostile("not-an-object", Expect.Fail, pick % 2 == 0 ? new[] { "not json", "[]", "42", "null", "{", "\"x\"" }[pick % 6] : weird);
                case 1: // the envelope's required parts missing or null (a validly signed webhook of another shape)
                {
                    var evt = Base("payment_intent.succeeded", Ours());
                    switch (pick % 4)
                    {
                        case 0: evt.Remove("data"); break;
                        case 1: evt["data"]!.AsObject().Remove("object"); break;
                        case 2: evt["data"] = null; break;
                        default: evt.Remove(pick % 8 < 4 ? "type" : "id"); break;
                    }

                    return new Hostile("missing-part", Expect.Fail, evt.ToJsonString());
                }

                case 2: // mistyped parts
                {
                    var evt = Base("payment_intent.succeeded", Ours());
                    var part = new[] { "type", "data", "metadata", "object" }[pick % 4];
                    var value = wrong is JsonValue v && part != "metadata" && v.GetValueKind() == JsonValueKind.String ? new JsonArray() : wrong?.DeepClone() ?? new JsonArray();
                    if (part is "metadata" or "object")
                    {
                        evt["data"]!["object"]![part] = part == "metadata" ? new JsonArray("x") : value;
                    }
                    else
                    {
                        evt[part] = value;
                    }

                    return new Hostile("mistyped-" + part, Expect.Fail, Text(evt));
                }

                case 3: // metadata values that are not strings
                {
                    var metadata = Ours();
                    metadata[new[] { "invoiceId", "userId", "paymentId" }[pick % 3]] = wrong?.DeepClone() ?? new JsonObject();
                    return new Hostile("mistyped-metadata-value", Expect.Fail, Text(Base("payment_intent.succeeded", metadata)));
                }

                case 4: // an SNS envelope around it: the subscription is raw, so this is not a Stripe event
                    return new Hostile("sns-envelope", Expect.Fail, new JsonObject { ["Type"] = "Notification", ["Message"] = Base("payment_intent.succeeded", Ours()).ToJsonString() }.ToJsonString());
                case 5: // an object we did not create: no or partial metadata
                {
                    var metadata = pick % 3 == 0 ? null : Ours();
                    metadata?.Remove(new[] { "invoiceId", "userId", "paymentId" }[pick % 3]);
                    return new Hostile("not-ours", Expect.Ack, Base("payment_intent.succeeded", metadata).ToJsonString());
                }

                case 6: // a type we do not handle, or an object type we do not know
                {
                    var evt = Base(pick % 2 == 0 ? "customer.created" : weird, Ours());
                    if (pick % 3 == 0)
                    {
                        evt["data"]!["object"]!["object"] = "refund";
                    }

                    return new Hostile("unknown-type", Expect.Ack, evt.ToJsonString());
                }

                default: // ours in shape, about an invoice that does not exist, with odd identifiers
                {
                    var metadata = Ours();
                    metadata[new[] { "invoiceId", "userId", "paymentId" }[pick % 3]] = weird;
                    var evt = Base(new[] { "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.requires_action" }[pick % 3], metadata);
                    if (pick % 4 == 0)
                    {
                        evt["id"] = weird;
                    }

                    return new Hostile("unknown-invoice", Expect.Either, evt.ToJsonString());
                }
            }
        })))));

    private async Task PaymentEventsAsync(int cases)
    {
        var table = _deployment.TableName("InvoicesTable");
        var items = await local.CountItemsAsync(table);
        var created = 0;
        var paid = new List<string>();
        var n = 0;
        await Batches(HostileStripeEvents(), 6).SampleAsync(async batch =>
        {
            var invoice = await ProcessingInvoiceAsync(2000 + Interlocked.Increment(ref n));
            created++;
            var evt = new JsonObject
            {
                ["id"] = $"evt_good{n}_{batch.Seed}",
                ["object"] = "event",
                ["type"] = "payment_intent.succeeded",
                ["data"] = new JsonObject
                {
                    ["object"] = new JsonObject
                    {
                        ["id"] = "pi_good" + n,
                        ["object"] = "payment_intent",
                        ["status"] = "succeeded",
                        ["metadata"] = new JsonObject { ["invoiceId"] = invoice.InvoiceId, ["userId"] = invoice.UserId, ["paymentId"] = invoice.Payment!.PaymentId },
                    },
                },
            };
            if (await InvokeQueueBatchAsync("paymentEvents", evt.ToJsonString(), batch.Hostile, batch.Seed))
            {
                paid.Add(invoice.InvoiceId);
            }
        }, iter: cases, threads: 1);

        var tally = TallyFor("paymentEvents");
        foreach (var id in paid)
        {
            if ((await _store.GetAsync(ApiCalls.Alice, id, default))!.Status.ToString() != "Paid")
            {
                Violation("paymentEvents", $"a good payment_intent.succeeded left {id} unpaid");
            }
        }

        tally.WritesOnRejected += Math.Max(0, await local.CountItemsAsync(table) - items - created);
    }

    // ---- the stream -------------------------------------------------------------------------------------------

    private static JsonObject StreamImage(string invoiceId, string status) => new()
    {
        ["userId"] = new JsonObject { ["S"] = "stream-user" },
        ["invoiceId"] = new JsonObject { ["S"] = invoiceId },
        ["payerEmail"] = new JsonObject { ["S"] = $"stream@{Domain}" },
        ["description"] = new JsonObject { ["S"] = "Stream test" },
        ["amount"] = new JsonObject { ["N"] = "1500" },
        ["currency"] = new JsonObject { ["S"] = "USD" },
        ["dueDate"] = new JsonObject { ["S"] = "2026-12-31" },
        ["status"] = new JsonObject { ["S"] = status },
        ["version"] = new JsonObject { ["N"] = "1" },
        ["createdAt"] = new JsonObject { ["S"] = "2026-11-20T09:00:00.0000000+00:00" },
        ["updatedAt"] = new JsonObject { ["S"] = "2026-11-20T09:00:00.0000000+00:00" },
    };

    private static JsonObject StreamRecord(string eventId, string eventName, string sequence, JsonObject? newImage, JsonObject? oldImage, string invoiceId)
    {
        var dynamodb = new JsonObject
        {
            ["ApproximateCreationDateTime"] = 1795683600,
            ["Keys"] = new JsonObject { ["userId"] = new JsonObject { ["S"] = "stream-user" }, ["invoiceId"] = new JsonObject { ["S"] = invoiceId } },
            ["SequenceNumber"] = sequence,
            ["SizeBytes"] = 300,
            ["StreamViewType"] = "NEW_AND_OLD_IMAGES",
        };
        if (newImage is not null)
        {
            dynamodb["NewImage"] = newImage;
        }

        if (oldImage is not null)
        {
            dynamodb["OldImage"] = oldImage;
        }

        return new JsonObject
        {
            ["eventID"] = eventId,
            ["eventName"] = eventName,
            ["eventVersion"] = "1.1",
            ["eventSource"] = "aws:dynamodb",
            ["awsRegion"] = "us-east-1",
            ["eventSourceARN"] = "arn:aws:dynamodb:us-east-1:123456789012:table/x/stream/2026-11-27T00:00:00.000",
            ["dynamodb"] = dynamodb,
        };
    }

    private static readonly string[] RequiredAttributes = ["userId", "invoiceId", "description", "amount", "currency", "dueDate", "status", "version", "createdAt", "updatedAt"];

    /// <summary>An attribute value of another type than the item's mapping reads, or a number no long holds.</summary>
    private static readonly Gen<JsonNode> WrongAttribute = Gen.OneOf<JsonNode>(
        Gen.OneOf("1e400", "99999999999999999999999999", "-99999999999999999999999999", "1.5", "NaN", "", "0x10").Select(n => (JsonNode)new JsonObject { ["N"] = n }),
        Gen.Const<JsonNode>(() => new JsonObject { ["M"] = new JsonObject { ["S"] = new JsonObject { ["S"] = "x" } } }),
        Gen.Const<JsonNode>(() => new JsonObject { ["L"] = new JsonArray(new JsonObject { ["N"] = "1" }) }),
        Gen.Const<JsonNode>(() => new JsonObject { ["B"] = "AAECAw==" }),
        Gen.Const<JsonNode>(() => new JsonObject { ["NULL"] = true }),
        Gen.Const<JsonNode>(() => new JsonObject { ["BOOL"] = false }),
        Gen.Const<JsonNode>(() => new JsonObject { ["SS"] = new JsonArray("a", "b") }),
        Gen.Const<JsonNode>(() => new JsonObject()));

    /// <summary>Hostile stream records: (record, whether it must fail). All name invoices of their own, so none may publish.</summary>
    private static Gen<(string Kind, bool MustFail, Func<string, string, JsonObject> Build)> HostileStreamRecords() =>
        Gen.Int[0, 4].SelectMany(kind => WrongAttribute.SelectMany(wrong => Weird.SelectMany(weird => Gen.Int[0, 100].Select(pick =>
        {
            (string, bool, Func<string, string, JsonObject>) Make(string name, bool mustFail, Func<string, JsonObject?> newImage, Func<string, JsonObject?> oldImage, string eventName = "INSERT") =>
                (name, mustFail, (seq, id) => StreamRecord("hostile" + seq, eventName, seq, newImage(id), oldImage(id), id));
            switch (kind)
            {
                case 0: // a required attribute of another type
                {
                    var attribute = RequiredAttributes[pick % RequiredAttributes.Length];
                    return Make("mistyped-" + attribute, true, id => { var image = StreamImage(id, "open"); image[attribute] = wrong.DeepClone(); return image; }, _ => null);
                }

                case 1: // a required attribute missing
                {
                    var attribute = RequiredAttributes[pick % RequiredAttributes.Length];
                    return Make("missing-" + attribute, true, id => { var image = StreamImage(id, "open"); image.Remove(attribute); return image; }, _ => null);
                }

                case 2: // values no invoice has: an unknown status, a date that is not one
                    return Make("bad-value", true, id =>
                    {
                        var image = StreamImage(id, "open");
                        image[pick % 2 == 0 ? "status" : "dueDate"] = new JsonObject { ["S"] = weird.Length == 0 ? "nonsense" : weird };
                        return image;
                    }, _ => null);
                case 3: // a change without images (as a KEYS_ONLY stream would send): nothing to tell
                    return Make("no-images", false, _ => null, _ => null, pick % 2 == 0 ? "MODIFY" : "REMOVE");
                default: // an item that did not change in a way anyone hears about, under an odd envelope
                    return Make("no-change", false, id => StreamImage(id, "draft"), id => StreamImage(id, "draft"), pick % 2 == 0 ? "MODIFY" : weird);
            }
        }))));

    private async Task StreamAsync(int cases)
    {
        var tally = TallyFor("invoiceStream");
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var sequence = 100_000_000L;
        var n = 0;
        var gen = Gen.Int[0, int.MaxValue].SelectMany(seed => HostileStreamRecords().Array[1, 6].Select(h => (seed, h)));
        await gen.SampleAsync(async batch =>
        {
            var (seed, hostile) = batch;
            tally.Cases++;
            n++;
            var at = seed % (hostile.Length + 1);
            var records = new List<JsonObject>();
            var kinds = new List<(string Kind, bool MustFail, bool Good)>();
            for (var i = 0; i <= hostile.Length; i++)
            {
                var seq = (++sequence).ToString(CultureInfo.InvariantCulture);
                if (i == at)
                {
                    records.Add(StreamRecord($"good{n}", "INSERT", seq, StreamImage("inv_streamgood" + n, "open"), null, "inv_streamgood" + n));
                    kinds.Add(("good", false, true));
                }
                else
                {
                    var h = hostile[i < at ? i : i - 1];
                    records.Add(h.Build(seq, $"inv_streamhostile{n}_{i}"));
                    kinds.Add((h.Kind, h.MustFail, false));
                    tally.Kinds[h.Kind] = tally.Kinds.GetValueOrDefault(h.Kind) + 1;
                }
            }

            tally.Records += records.Count;
            var payload = Encoding.UTF8.GetBytes(Text(new JsonObject { ["Records"] = new JsonArray(records.ToArray<JsonNode?>()) }));
            var (outcome, _) = await InvokeTimedAsync("invoiceStream", payload);
            if (outcome.Error is not null)
            {
                tally.ServerErrors++;
                Violation("invoiceStream", $"the batch failed as a whole: {outcome.Error.GetType().Name}: {Shorten(outcome.Error.Message)}");
                return;
            }

            // Stop at the first failure: exactly that record is reported, everything before it is done, nothing after.
            var reported = JsonNode.Parse(outcome.Response!)?["batchItemFailures"]?.AsArray().Select(f => f?["itemIdentifier"]?.GetValue<string>()).ToList() ?? [];
            var firstMustFail = kinds.FindIndex(k => k.MustFail);
            var reportedAt = reported.Count == 1 ? records.FindIndex(r => r["dynamodb"]!["SequenceNumber"]!.GetValue<string>() == reported[0]) : -1;
            if (reported.Count > 1 || (reported.Count == 1 && reportedAt < 0))
            {
                Violation("invoiceStream", $"reported {reported.Count} identifiers ({string.Join(",", reported)}), not the first failure");
                return;
            }

            if (reportedAt >= 0 && kinds[reportedAt].Good)
            {
                Violation("invoiceStream", "the good record was reported failed");
            }

            if (firstMustFail >= 0 && (reportedAt < 0 || reportedAt > firstMustFail))
            {
                Violation("invoiceStream", $"a malformed record ({kinds[firstMustFail].Kind}) was passed over instead of reported");
            }

            if (reportedAt >= 0 && !kinds[reportedAt].MustFail)
            {
                Violation("invoiceStream", $"a record with nothing to tell ({kinds[reportedAt].Kind}) was reported failed");
            }

            var processed = reportedAt < 0 ? records.Count : reportedAt;
            tally.Reported += reportedAt >= 0 ? 1 : 0;
            tally.Acknowledged += kinds.Take(processed).Count(k => !k.Good);
            if (at < processed)
            {
                expected.Add($"good{n}:InvoiceIssued");
            }
        }, iter: cases, threads: 1);

        // What reached the topic: each expected good event once, nothing else.
        var published = new List<string>();
        for (var empty = 0; empty < 3;)
        {
            var messages = (await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = _tapUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 0 })).Messages ?? [];
            empty = messages.Count == 0 ? empty + 1 : 0;
            foreach (var message in messages)
            {
                published.Add(JsonNode.Parse(message.Body)!["eventId"]!.GetValue<string>());
                await _sqs.DeleteMessageAsync(_tapUrl, message.ReceiptHandle);
            }

            if (messages.Count == 0)
            {
                await Task.Delay(100);
            }
        }

        tally.WritesOnRejected += published.Count(id => !expected.Contains(id));
        foreach (var missing in expected.Except(published))
        {
            Violation("invoiceStream", $"the good record {missing} was processed but not published");
        }
    }

    // ---- schedules and warm-up pings ------------------------------------------------------------------------

    private static Gen<(string Kind, string Payload)> HostileSchedulePayloads(string mock) =>
        Gen.Int[0, 4].SelectMany(kind => Weird.SelectMany(weird => WrongValue.SelectMany(wrong => Gen.Int[0, 100].Select(pick =>
        {
            switch (kind)
            {
                case 0:
                    return ("not-an-object", pick % 2 == 0 ? new[] { "not json", "[]", "42", "null", "{", "" }[pick % 6] : weird);
                case 1: // a field of EventBridge's event of another type
                {
                    var evt = JsonNode.Parse(mock)!.AsObject();
                    evt[new[] { "time", "detail", "resources", "detail-type", "version", "id" }[pick % 6]] = wrong?.DeepClone();
                    return ("mistyped-field", Text(evt));
                }

                case 2: // fields missing
                {
                    var evt = JsonNode.Parse(mock)!.AsObject();
                    foreach (var field in new[] { "time", "detail", "resources", "source", "id" }.Take(1 + (pick % 5)))
                    {
                        evt.Remove(field);
                    }

                    return ("missing-fields", evt.ToJsonString());
                }

                case 3: // warm-up pings, right and wrong
                    return ("warm-up", new[]
                    {
                        "{\"source\":\"serverless-plugin-warmup\"}",
                        "{\"source\":5}",
                        "{\"source\":null,\"x\":1}",
                        "{\"source\":\"serverless-plugin-warmup\",\"junk\":[1,{\"a\":null}]}",
                        "{\"x\":{\"source\":\"serverless-plugin-warmup\"}}",
                        $"{{\"source\":{JsonSerializer.Serialize(weird)}}}",
                    }[pick % 6]);
                default: // odd text where EventBridge puts text
                {
                    var evt = JsonNode.Parse(mock)!.AsObject();
                    evt[new[] { "source", "detail-type", "account", "region" }[pick % 4]] = weird;
                    return ("odd-text", evt.ToJsonString());
                }
            }
        }))));

    private async Task ScheduledAsync(string function, int cases)
    {
        var tally = TallyFor(function);
        var mock = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "mocks", function + ".json"));
        await HostileSchedulePayloads(mock).SampleAsync(async hostile =>
        {
            tally.Cases++;
            tally.Records++;
            tally.Kinds[hostile.Kind] = tally.Kinds.GetValueOrDefault(hostile.Kind) + 1;
            var (outcome, _) = await InvokeTimedAsync(function, Encoding.UTF8.GetBytes(hostile.Payload));
            if (outcome.Error is null)
            {
                tally.Acknowledged++;
            }
            else if (outcome.Error is JsonException)
            {
                tally.Reported++; // the event is refused as what it is, bad JSON; EventBridge's retries meet the same answer
            }
            else
            {
                tally.ServerErrors++;
                Violation(function, $"{hostile.Kind} ended in {outcome.Error.GetType().Name}: {Shorten(outcome.Error.Message)}");
            }
        }, iter: cases, threads: 1);

        // The host is still serving: the sample event runs.
        var after = await _deployment.InvokeAsync(function, Encoding.UTF8.GetBytes(mock), CancellationToken.None);
        if (after.Error is not null)
        {
            Violation(function, $"after the hostile payloads the sample event failed: {after.Error.Message}");
        }
    }

    private static string Shorten(string? text) => text is null ? "(null)" : text.Length <= 160 ? text : text[..160] + $"… ({text.Length} chars)";
}
