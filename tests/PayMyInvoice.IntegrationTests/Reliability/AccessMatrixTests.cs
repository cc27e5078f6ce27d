using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.SQS.Model;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Local;
using PayMyInvoice.StripeEmulator;
using PayMyInvoice.Tests;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>
/// Access, over HTTP through the local API gateway: every route of serverless.yml × {owner, another user, no
/// identity}. The owner gets the success answer; another user gets the same 404 a missing invoice gets (existence is
/// not revealed) and changes nothing, in the answer, the table or on Stripe; no identity is refused by the gateway
/// (403, as API Gateway refuses an unsigned IAM request). Pay links reach only their own invoice, whoever sends them,
/// and a tampered token reaches nothing; a list cursor never pages another user's invoices; a webhook that is not
/// Stripe's (wrong secret, altered body, old timestamp, no header) is 400 and publishes nothing.
/// A check that shows someone reading or changing what is not theirs is a leak; the figures are recorded before asserting.
/// </summary>
[Trait("Category", ReliabilityRun.Category)]
[Collection(LocalServicesCollection.Name)]
public sealed class AccessMatrixTests(LocalServicesFixture local) : IAsyncLifetime
{
    private const string Alice = ApiCalls.Alice;
    private const string Bob = ApiCalls.Bob;

    private LocalPipeline _pipeline = null!;
    private StripeEmulatorServer _stripe = null!;
    private DynamoDbInvoiceStore _store = null!;
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false });
    private readonly List<string> _leaks = [];
    private readonly List<string> _failures = [];
    private int _checks;

    public async Task InitializeAsync()
    {
        _pipeline = await local.StartPipelineAsync();
        _stripe = _pipeline.Stripe;
        await _pipeline.DrainAsync(CancellationToken.None); // the seeded samples' own events
        _store = new DynamoDbInvoiceStore(local.DynamoDb, _pipeline.Deployment.TableName("InvoicesTable"));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _pipeline.DisposeAsync();
    }

    /// <summary>The callers of the matrix: the resource's owner, another signed-in user, and an unsigned request.</summary>
    private static readonly (string Name, string? Identity)[] Callers = [("owner", Alice), ("another user", Bob), ("no identity", null)];

    [Fact]
    public async Task Every_route_answers_only_its_owner_and_pay_links_cursors_and_webhooks_reach_nothing_else()
    {
        var started = DateTimeOffset.UtcNow;
        await WebhooksThatAreNotStripesAsync(); // first: nothing else has queued a payment event yet

        var expectations = RouteExpectations();
        var routes = _pipeline.Deployment.Config.FunctionNames
            .SelectMany(name => _pipeline.Deployment.Config.Function(name).HttpRoutes.Select(route => (Function: name, Key: $"{route.Method.ToUpperInvariant()} /{route.Path.TrimStart('/')}", route.IamAuthorized)))
            .ToList();
        var unknown = routes.Where(r => !expectations.ContainsKey(r.Key)).Select(r => $"{r.Key} ({r.Function})").ToList();
        var covered = new List<string>();
        foreach (var route in routes.Where(r => expectations.ContainsKey(r.Key)))
        {
            await expectations[route.Key](route.IamAuthorized);
            covered.Add(route.Key);
        }

        await PayLinksReachOnlyTheirInvoiceAsync();
        await CursorsNeverPageAnotherUsersInvoicesAsync();
        await IdempotencyKeysAreNotSharedAcrossUsersAsync();
        await IdentityComesOnlyFromTheRequestContextAsync();
        await NothingWasChargedForWhatAnotherUserTouchedAsync();

        ReliabilityRun.Record("access", "matrix", new
        {
            checks = _checks,
            leaks = _leaks.Count,
            failures = _failures.Count,
            routes = covered,
            routesWithoutExpectation = unknown,
            leakDetails = _leaks,
            failureDetails = _failures,
            seconds = Math.Round((DateTimeOffset.UtcNow - started).TotalSeconds, 1),
        });
        Assert.True(unknown.Count == 0, "serverless.yml has HTTP routes this matrix has no expectation for; add one to RouteExpectations: " + string.Join(", ", unknown));
        Assert.True(_leaks.Count == 0, "access leaks:\n" + string.Join("\n", _leaks));
        Assert.True(_failures.Count == 0, "unexpected answers:\n" + string.Join("\n", _failures));
    }

    // ---------------------------------------------------------------- the route matrix

    /// <summary>
    /// What each route answers each caller, keyed by "METHOD /path" as serverless.yml declares it; a route missing here
    /// fails the test. Each takes whether serverless.yml puts the route behind IAM (the public ones must not be).
    /// </summary>
    private Dictionary<string, Func<bool, Task>> RouteExpectations() => new(StringComparer.Ordinal)
    {
        ["POST /invoices"] = async iam =>
        {
            ExpectIam(iam, "POST /invoices");
            var before = await AllIdsAsync(Alice);
            var byBob = await SendAsync(HttpMethod.Post, "/invoices", Bob, NewInvoice("bob's own").ToJsonString());
            Check("POST /invoices another user: 201", byBob.Status == HttpStatusCode.Created, leak: false, byBob);
            if (byBob.Status == HttpStatusCode.Created)
            {
                var id = byBob.Json!["invoiceId"]!.GetValue<string>();
                Check("POST /invoices another user: the invoice is the caller's", byBob.Json["userId"]?.GetValue<string>() == Bob && await _store.GetAsync(Alice, id, default) is null, leak: true, byBob);
            }

            var count = await local.CountItemsAsync(_pipeline.Deployment.TableName("InvoicesTable"));
            var anonymous = await SendAsync(HttpMethod.Post, "/invoices", null, NewInvoice("nobody's").ToJsonString());
            Check("POST /invoices no identity: 403", anonymous.Status == HttpStatusCode.Forbidden, leak: true, anonymous);
            Check("POST /invoices no identity: nothing written", await local.CountItemsAsync(_pipeline.Deployment.TableName("InvoicesTable")) == count, leak: true);

            var byAlice = await SendAsync(HttpMethod.Post, "/invoices", Alice, NewInvoice("alice's").ToJsonString());
            Check("POST /invoices owner: 201", byAlice.Status == HttpStatusCode.Created && byAlice.Json!["userId"]?.GetValue<string>() == Alice, leak: false, byAlice);
            Check("POST /invoices another user: nothing added to the owner's invoices", (await AllIdsAsync(Alice)).Except(before).Count() == 1, leak: true);
        },
        ["GET /invoices"] = async iam =>
        {
            ExpectIam(iam, "GET /invoices");
            var mine = await CreateAsync(Alice, "listed");
            var alices = await AllIdsAsync(Alice);
            var owner = await SendAsync(HttpMethod.Get, "/invoices?limit=100", Alice);
            Check("GET /invoices owner: 200 with the invoice", owner.Status == HttpStatusCode.OK && Ids(owner).Contains(mine.Id), leak: false, owner);
            var bob = await SendAsync(HttpMethod.Get, "/invoices?limit=100", Bob);
            Check("GET /invoices another user: 200", bob.Status == HttpStatusCode.OK, leak: false, bob);
            Check("GET /invoices another user: none of the owner's invoices", !Ids(bob).Intersect(alices).Any() && !bob.Text.Contains(mine.Description, StringComparison.Ordinal), leak: true, bob);
            var anonymous = await SendAsync(HttpMethod.Get, "/invoices", null);
            Check("GET /invoices no identity: 403", anonymous.Status == HttpStatusCode.Forbidden && !anonymous.Text.Contains(mine.Id, StringComparison.Ordinal), leak: true, anonymous);
        },
        ["GET /invoices/{id}"] = async iam =>
        {
            ExpectIam(iam, "GET /invoices/{id}");
            var target = await CreateAsync(Alice, "read");
            await ExpectAnotherUserAndNobodyChangeNothingAsync("GET /invoices/{id}", HttpMethod.Get, $"/invoices/{target.Id}", null, target.Id, "/invoices/{0}");
            var owner = await SendAsync(HttpMethod.Get, $"/invoices/{target.Id}", Alice);
            Check("GET /invoices/{id} owner: 200", owner.Status == HttpStatusCode.OK && owner.Json!["invoiceId"]!.GetValue<string>() == target.Id, leak: false, owner);
        },
        ["PUT /invoices/{id}"] = async iam =>
        {
            ExpectIam(iam, "PUT /invoices/{id}");
            var target = await CreateAsync(Alice, "updated");
            var change = NewInvoice("changed by someone");
            change["version"] = 1;
            await ExpectAnotherUserAndNobodyChangeNothingAsync("PUT /invoices/{id}", HttpMethod.Put, $"/invoices/{target.Id}", change.ToJsonString(), target.Id, "/invoices/{0}");
            change["description"] = "changed by its owner";
            var owner = await SendAsync(HttpMethod.Put, $"/invoices/{target.Id}", Alice, change.ToJsonString());
            Check("PUT /invoices/{id} owner: 200", owner.Status == HttpStatusCode.OK && owner.Json!["version"]!.GetValue<long>() == 2, leak: false, owner);
        },
        ["DELETE /invoices/{id}"] = async iam =>
        {
            ExpectIam(iam, "DELETE /invoices/{id}");
            var target = await CreateAsync(Alice, "deleted");
            await ExpectAnotherUserAndNobodyChangeNothingAsync("DELETE /invoices/{id}", HttpMethod.Delete, $"/invoices/{target.Id}", null, target.Id, "/invoices/{0}");
            var owner = await SendAsync(HttpMethod.Delete, $"/invoices/{target.Id}", Alice);
            Check("DELETE /invoices/{id} owner: 204, gone", owner.Status == HttpStatusCode.NoContent && await _store.GetAsync(Alice, target.Id, default) is null, leak: false, owner);
        },
        ["POST /invoices/{id}/pay"] = async iam =>
        {
            ExpectIam(iam, "POST /invoices/{id}/pay");
            var target = await CreateAsync(Alice, "paid by card");
            _attacked.Add(target.Id);
            await ExpectAnotherUserAndNobodyChangeNothingAsync("POST /invoices/{id}/pay", HttpMethod.Post, $"/invoices/{target.Id}/pay", """{"paymentMethodId":"pm_card_visa"}""", target.Id, "/invoices/{0}/pay");
            var owner = await SendAsync(HttpMethod.Post, $"/invoices/{target.Id}/pay", Alice, """{"paymentMethodId":"pm_card_visa"}""");
            Check("POST /invoices/{id}/pay owner: 202", owner.Status == HttpStatusCode.Accepted, leak: false, owner);
            _paidByOwner.Add(target.Id);
        },
        ["POST /invoices/{id}/void"] = async iam =>
        {
            ExpectIam(iam, "POST /invoices/{id}/void");
            var target = await CreateAsync(Alice, "voided");
            await ExpectAnotherUserAndNobodyChangeNothingAsync("POST /invoices/{id}/void", HttpMethod.Post, $"/invoices/{target.Id}/void", null, target.Id, "/invoices/{0}/void");
            var owner = await SendAsync(HttpMethod.Post, $"/invoices/{target.Id}/void", Alice);
            Check("POST /invoices/{id}/void owner: 200 void", owner.Status == HttpStatusCode.OK && owner.Json!["status"]!.GetValue<string>() == "void", leak: false, owner);
        },
        ["POST /billing"] = async iam =>
        {
            ExpectIam(iam, "POST /billing");
            const string Fee = """{"txnType":"SubscriptionFee","txnQty":2,"paymentMethodId":"pm_card_visa"}""";
            var byBob = await SendAsync(HttpMethod.Post, "/billing", Bob, Fee);
            Check("POST /billing another user: 202", byBob.Status == HttpStatusCode.Accepted, leak: false, byBob);
            if (byBob.Json?["billingId"]?.GetValue<string>() is { } bobs)
            {
                _paidByOwner.Add(bobs); // Bob's own fee: charged to Bob, which is right
                var read = await SendAsync(HttpMethod.Get, $"/billing/{bobs}", Alice);
                Check("POST /billing another user: the fee is the caller's, not readable by others", read.Status == HttpStatusCode.NotFound, leak: true, read);
            }

            var anonymous = await SendAsync(HttpMethod.Post, "/billing", null, Fee);
            Check("POST /billing no identity: 403", anonymous.Status == HttpStatusCode.Forbidden, leak: true, anonymous);
            var owner = await SendAsync(HttpMethod.Post, "/billing", Alice, Fee);
            Check("POST /billing owner: 202", owner.Status == HttpStatusCode.Accepted, leak: false, owner);
            if (owner.Json?["billingId"]?.GetValue<string>() is { } alices)
            {
                _paidByOwner.Add(alices);
                _fee = alices;
            }
        },
        ["GET /billing/{id}"] = async iam =>
        {
            ExpectIam(iam, "GET /billing/{id}");
            if (_fee is null)
            {
                var created = await SendAsync(HttpMethod.Post, "/billing", Alice, """{"txnType":"SubscriptionFee","txnQty":2,"paymentMethodId":"pm_card_visa"}""");
                _fee = created.Json!["billingId"]!.GetValue<string>();
                _paidByOwner.Add(_fee);
            }

            var fee = _fee;
            var missing = await SendAsync(HttpMethod.Get, $"/billing/{InvoiceIds.NewFee()}", Bob);
            var bob = await SendAsync(HttpMethod.Get, $"/billing/{fee}", Bob);
            Check("GET /billing/{id} another user: 404", bob.Status == HttpStatusCode.NotFound, leak: true, bob);
            Check("GET /billing/{id} another user: the same answer as a missing fee", bob.Text == missing.Text && !bob.Text.Contains(fee, StringComparison.Ordinal), leak: true, bob);
            var anonymous = await SendAsync(HttpMethod.Get, $"/billing/{fee}", null);
            Check("GET /billing/{id} no identity: 403", anonymous.Status == HttpStatusCode.Forbidden, leak: true, anonymous);
            var owner = await SendAsync(HttpMethod.Get, $"/billing/{fee}", Alice);
            Check("GET /billing/{id} owner: 200", owner.Status == HttpStatusCode.OK && owner.Json!["billingId"]!.GetValue<string>() == fee, leak: false, owner);
        },
        ["GET /pay/{token}"] = async iam =>
        {
            Check("GET /pay/{token} is public (no IAM): payers have no account", !iam, leak: false);
            var (a, b) = (await CreateAsync(Alice, "page A"), await CreateAsync(Alice, "page B"));
            foreach (var (caller, identity) in Callers)
            {
                var page = await SendAsync(HttpMethod.Get, $"/pay/{a.Token}", identity);
                Check($"GET /pay/{{token}} {caller}: 200", page.Status == HttpStatusCode.OK, leak: false, page);
                Check($"GET /pay/{{token}} {caller}: shows its invoice only", page.Text.Contains(a.Description, StringComparison.Ordinal) && !page.Text.Contains(b.Description, StringComparison.Ordinal) && !page.Text.Contains(b.Id, StringComparison.Ordinal), leak: true, page);
            }
        },
        ["POST /pay/{token}/checkout"] = async iam =>
        {
            Check("POST /pay/{token}/checkout is public (no IAM)", !iam, leak: false);
            var (a, b) = (await CreateAsync(Alice, "checkout A"), await CreateAsync(Alice, "checkout B"));
            _attacked.Add(b.Id);
            Uri? first = null;
            foreach (var (caller, identity) in Callers)
            {
                var press = await SendAsync(HttpMethod.Post, $"/pay/{a.Token}/checkout", identity);
                Check($"POST /pay/{{token}}/checkout {caller}: 303 to Checkout", press.Status == HttpStatusCode.SeeOther && press.Location is not null, leak: false, press);
                first ??= press.Location;
                Check($"POST /pay/{{token}}/checkout {caller}: the same session", press.Location == first, leak: false, press);
            }

            Check("POST /pay/{token}/checkout: one session, for its invoice", _stripe.CheckoutSessions.Count(s => s.Metadata.GetValueOrDefault("invoiceId") == a.Id) == 1, leak: false);
            Check("POST /pay/{token}/checkout: no session for any other invoice", !_stripe.CheckoutSessions.Any(s => s.Metadata.GetValueOrDefault("invoiceId") == b.Id), leak: true);
            _checkoutFor.Add(a.Id);
        },
        ["POST /webhooks/stripe"] = async iam =>
        {
            Check("POST /webhooks/stripe is public (no IAM): Stripe signs instead", !iam, leak: false);
            var body = Event("evt_matrix_" + Guid.NewGuid().ToString("N")[..8]);
            foreach (var (caller, identity) in Callers)
            {
                var forged = await SendAsync(HttpMethod.Post, "/webhooks/stripe", identity, body, new() { ["Stripe-Signature"] = Sign(body, "whsec_someone_else") });
                Check($"POST /webhooks/stripe {caller}: an identity does not stand in for the signature (400)", forged.Status == HttpStatusCode.BadRequest, leak: true, forged);
            }

            await ExpectNothingPublishedAsync("POST /webhooks/stripe with a caller identity");
        },
    };

    /// <summary>Invoices another user tried to change or pay, paid ones by their owner, and Checkout Sessions opened.</summary>
    private readonly HashSet<string> _attacked = [];
    private readonly HashSet<string> _paidByOwner = [];
    private readonly HashSet<string> _checkoutFor = [];
    private string? _fee;

    /// <summary>
    /// Another user: the same 404 a missing invoice gets, and the invoice unchanged, nothing created under the caller.
    /// No identity: the gateway's 403, before any function runs.
    /// </summary>
    private async Task ExpectAnotherUserAndNobodyChangeNothingAsync(string route, HttpMethod method, string path, string? body, string id, string template)
    {
        _attacked.Add(id);
        var before = (await _store.GetAsync(Alice, id, default))!;
        var missing = await SendAsync(method, string.Format(System.Globalization.CultureInfo.InvariantCulture, template, InvoiceIds.New()), Bob, body);
        var bob = await SendAsync(method, path, Bob, body);
        Check($"{route} another user: 404", bob.Status == HttpStatusCode.NotFound, leak: true, bob);
        Check($"{route} another user: the same answer as a missing invoice", bob.Text == missing.Text && !bob.Text.Contains(before.Details.Description, StringComparison.Ordinal), leak: true, bob);
        var anonymous = await SendAsync(method, path, null, body);
        Check($"{route} no identity: 403", anonymous.Status == HttpStatusCode.Forbidden, leak: true, anonymous);

        var after = await _store.GetAsync(Alice, id, default);
        Check($"{route} another user / no identity: the invoice is unchanged in the table", after is not null && after.Version == before.Version && after.Status == before.Status && after.Details.Description == before.Details.Description, leak: true);
        Check($"{route} another user: nothing written under the caller", await _store.GetAsync(Bob, id, default) is null, leak: true);
        var owner = await SendAsync(HttpMethod.Get, $"/invoices/{id}", Alice);
        Check($"{route} another user / no identity: the owner reads it unchanged", owner.Json?["version"]?.GetValue<long>() == before.Version, leak: true, owner);
    }

    private void ExpectIam(bool iam, string route) => Check($"{route} is behind IAM (authorizer: aws_iam)", iam, leak: true);

    // ---------------------------------------------------------------- pay links

    private async Task PayLinksReachOnlyTheirInvoiceAsync()
    {
        var (a, b) = (await CreateAsync(Alice, "link A"), await CreateAsync(Alice, "link B"));
        var c = await CreateAsync(Bob, "link C");
        var sessions = _stripe.CheckoutSessions.Count;
        var intents = _stripe.PaymentIntents.Count;

        // The token's page and checkout never show or open another invoice, whatever rides along with it.
        foreach (var query in new[] { "", $"?invoiceId={b.Id}", $"?id={c.Id}", $"?token={b.Token}" })
        {
            var page = await SendAsync(HttpMethod.Get, $"/pay/{a.Token}{query}", null);
            Check($"pay link A{query}: shows A only", page.Status == HttpStatusCode.OK && page.Text.Contains(a.Description, StringComparison.Ordinal)
                && !page.Text.Contains(b.Description, StringComparison.Ordinal) && !page.Text.Contains(c.Description, StringComparison.Ordinal), leak: true, page);
        }

        var press = await SendAsync(HttpMethod.Post, $"/pay/{a.Token}/checkout?invoiceId={b.Id}", Bob, $"invoiceId={b.Id}", contentType: "application/x-www-form-urlencoded");
        Check("pay link A checkout with B's id alongside: 303", press.Status == HttpStatusCode.SeeOther, leak: false, press);
        _checkoutFor.Add(a.Id);
        Check("pay link A checkout: the session is A's", _stripe.CheckoutSessions.Where(s => s.Url == press.Location).All(s => s.Metadata.GetValueOrDefault("invoiceId") == a.Id), leak: true);
        Check("pay link A checkout: no session for B or C", !_stripe.CheckoutSessions.Any(s => s.Metadata.GetValueOrDefault("invoiceId") is { } id && (id == b.Id || id == c.Id)), leak: true);
        sessions = _stripe.CheckoutSessions.Count;

        // Tampered tokens: one character changed (first, middle, last), case flipped, cut, extended, another's spliced in.
        var t = b.Token;
        var tampered = new List<(string Name, string Token)>
        {
            ("last char changed", t[..^1] + (t[^1] == 'A' ? 'B' : 'A')),
            ("first char changed", (t[0] == 'A' ? 'B' : 'A') + t[1..]),
            ("middle char changed", t[..21] + (t[21] == 'x' ? 'y' : 'x') + t[22..]),
            ("one char cut", t[..^1]),
            ("one char added", t + "A"),
            ("halves of two tokens", a.Token[..21] + t[21..]),
            ("case flipped", FlipFirstLetter(t)),
            ("percent-encoded slash", t[..20] + "%2F" + t[23..]),
            ("path traversal", $"{a.Token}/..%2F{t}"),
            ("another invoice's id", b.Id),
        };
        foreach (var (name, token) in tampered)
        {
            var page = await SendAsync(HttpMethod.Get, $"/pay/{token}", null);
            Check($"tampered token ({name}): page 4xx", (int)page.Status is >= 400 and < 500, leak: true, page);
            Check($"tampered token ({name}): page shows no invoice", !page.Text.Contains(b.Description, StringComparison.Ordinal) && !page.Text.Contains(a.Description, StringComparison.Ordinal), leak: true, page);
            var checkout = await SendAsync(HttpMethod.Post, $"/pay/{token}/checkout", null);
            Check($"tampered token ({name}): checkout 4xx", (int)checkout.Status is >= 400 and < 500, leak: true, checkout);
        }

        Check("tampered tokens: no Checkout Session created", _stripe.CheckoutSessions.Count == sessions, leak: true);
        Check("tampered tokens: no PaymentIntent created", _stripe.PaymentIntents.Count == intents, leak: true);
        Check("tampered tokens: B is still open", (await _store.GetAsync(Alice, b.Id, default))!.Status == InvoiceStatus.Open, leak: true);

        // A revoked link (the invoice voided) reaches nothing any more.
        Check("void A's sibling B", (await SendAsync(HttpMethod.Post, $"/invoices/{b.Id}/void", Alice)).Status == HttpStatusCode.OK, leak: false);
        var revoked = await SendAsync(HttpMethod.Get, $"/pay/{b.Token}", null);
        Check("a voided invoice's link: 404", revoked.Status == HttpStatusCode.NotFound && !revoked.Text.Contains(b.Description, StringComparison.Ordinal), leak: true, revoked);
    }

    private static string FlipFirstLetter(string token)
    {
        var i = token.IndexOf(token.First(char.IsAsciiLetter));
        var chars = token.ToCharArray();
        chars[i] = char.IsAsciiLetterUpper(chars[i]) ? char.ToLowerInvariant(chars[i]) : char.ToUpperInvariant(chars[i]);
        return new string(chars);
    }

    // ---------------------------------------------------------------- cursors

    private async Task CursorsNeverPageAnotherUsersInvoicesAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(Alice, $"paged {i}");
        }

        await CreateAsync(Bob, "bob paged");
        var alices = await AllIdsAsync(Alice);
        var bobs = await AllIdsAsync(Bob);
        var cursors = new List<(string Name, string Cursor)>();
        var page = await SendAsync(HttpMethod.Get, "/invoices?limit=1", Alice);
        for (var n = 0; n < 3 && page.Json?["nextCursor"]?.GetValue<string>() is { } next; n++)
        {
            cursors.Add(($"Alice's page {n + 1} cursor", next));
            page = await SendAsync(HttpMethod.Get, $"/invoices?limit=1&cursor={Uri.EscapeDataString(next)}", Alice);
        }

        Check("Alice's list pages with cursors", cursors.Count > 0, leak: false, page);
        cursors.Add(("a cursor naming Alice's first invoice", PageCursor.Encode(alices.Order(StringComparer.Ordinal).First())));
        cursors.Add(("a cursor from another stage (an id this table does not have)", PageCursor.Encode(InvoiceIds.New())));
        cursors.Add(("a cursor before every id", PageCursor.Encode("inv_" + new string('0', 32))));
        foreach (var (name, cursor) in cursors)
        {
            // Bob follows the cursor to the end of his list: nothing of Alice's on any page.
            var seen = new List<string>();
            var next = cursor;
            for (var hop = 0; hop < 20 && next is not null; hop++)
            {
                var bob = await SendAsync(HttpMethod.Get, $"/invoices?limit=1&cursor={Uri.EscapeDataString(next)}", Bob);
                Check($"Bob with {name}: 200 or 400", bob.Status is HttpStatusCode.OK or HttpStatusCode.BadRequest, leak: false, bob);
                seen.AddRange(Ids(bob));
                next = bob.Json?["nextCursor"]?.GetValue<string>();
            }

            Check($"Bob with {name}: none of Alice's invoices", !seen.Intersect(alices).Any() && seen.All(bobs.Contains), leak: true);
        }
    }

    private async Task IdempotencyKeysAreNotSharedAcrossUsersAsync()
    {
        const string Key = "shared-key-1";
        var created = await SendAsync(HttpMethod.Post, "/invoices", Alice, NewInvoice("keyed A").ToJsonString(), new() { ["Idempotency-Key"] = Key });
        Check("Alice creates with an Idempotency-Key: 201", created.Status == HttpStatusCode.Created, leak: false, created);
        var replayForBob = await SendAsync(HttpMethod.Post, "/invoices", Bob, NewInvoice("keyed A").ToJsonString(), new() { ["Idempotency-Key"] = Key });
        Check("Bob with Alice's Idempotency-Key: his own invoice, not Alice's answer replayed", replayForBob.Status == HttpStatusCode.Created
            && replayForBob.Json?["invoiceId"]?.GetValue<string>() != created.Json?["invoiceId"]?.GetValue<string>()
            && replayForBob.Json?["userId"]?.GetValue<string>() == Bob
            && !replayForBob.Replayed, leak: true, replayForBob);
    }

    /// <summary>A body or header naming another user, and an id of the other kind (fee vs invoice), reach nothing.</summary>
    private async Task IdentityComesOnlyFromTheRequestContextAsync()
    {
        var bobs = await CreateAsync(Bob, "bob's, named in a body");
        var claimed = NewInvoice("claims to be bob's");
        claimed["userId"] = Bob;
        var created = await SendAsync(HttpMethod.Post, "/invoices", Alice, claimed.ToJsonString());
        Check("POST /invoices with another user's userId in the body: refused or the caller's own", created.Status == HttpStatusCode.BadRequest
            || (created.Status == HttpStatusCode.Created && created.Json?["userId"]?.GetValue<string>() == Alice), leak: true, created);

        var update = NewInvoice("rewritten through a body userId");
        update["userId"] = Alice;
        update["version"] = 1;
        var rewritten = await SendAsync(HttpMethod.Put, $"/invoices/{bobs.Id}", Alice, update.ToJsonString());
        Check("PUT another user's invoice naming its owner in the body: 400 or 404", rewritten.Status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, leak: true, rewritten);
        Check("PUT another user's invoice naming its owner in the body: unchanged", (await _store.GetAsync(Bob, bobs.Id, default))!.Version == 1, leak: true);

        var spoofed = await SendAsync(HttpMethod.Get, $"/invoices/{bobs.Id}", null, headers: new() { ["X-User-Id"] = Bob, ["X-Amz-Cognito-Identity-Id"] = Bob });
        Check("GET without an identity but with identity-looking headers: 403", spoofed.Status == HttpStatusCode.Forbidden, leak: true, spoofed);

        if (_fee is { } fee)
        {
            var feeAsInvoice = await SendAsync(HttpMethod.Get, $"/invoices/{fee}", Bob);
            Check("GET /invoices/{a fee id} by another user: 404", feeAsInvoice.Status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, leak: true, feeAsInvoice);
            var invoiceAsFee = await SendAsync(HttpMethod.Get, $"/billing/{bobs.Id}", Alice);
            Check("GET /billing/{another user's invoice id}: 404", invoiceAsFee.Status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, leak: true, invoiceAsFee);
        }
    }

    private async Task NothingWasChargedForWhatAnotherUserTouchedAsync()
    {
        await _pipeline.DrainAsync(CancellationToken.None);
        foreach (var id in _attacked.Except(_paidByOwner))
        {
            Check($"no charge for {id}, which only another user tried", !_stripe.PaymentIntents.Any(i => i.Metadata.GetValueOrDefault("invoiceId") == id), leak: true);
        }

        Check("every Checkout Session is one a payer opened through its own link",
            _stripe.CheckoutSessions.All(s => s.Metadata.GetValueOrDefault("invoiceId") is { } id && _checkoutFor.Contains(id)), leak: true);
    }

    // ---------------------------------------------------------------- webhooks

    private async Task WebhooksThatAreNotStripesAsync()
    {
        var body = Event("evt_access_" + Guid.NewGuid().ToString("N")[..8]);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var altered = body.Replace("\"amount\":1500", "\"amount\":1", StringComparison.Ordinal);
        var cases = new List<(string Name, string Body, string? Signature)>
        {
            ("wrong secret", body, StripeEmulatorServer.SignatureHeader(body, "whsec_someone_else", now)),
            ("altered body", altered, StripeEmulatorServer.SignatureHeader(body, LocalDeployment.WebhookSecret, now)),
            ("timestamp older than the 300 s tolerance", body, StripeEmulatorServer.SignatureHeader(body, LocalDeployment.WebhookSecret, now - 301)),
            ("timestamp an hour old", body, StripeEmulatorServer.SignatureHeader(body, LocalDeployment.WebhookSecret, now - 3600)),
            ("no header", body, null),
            ("empty header", body, ""),
            ("only a timestamp", body, $"t={now}"),
            ("a v0 signature only", body, StripeEmulatorServer.SignatureHeader(body, LocalDeployment.WebhookSecret, now).Replace("v1=", "v0=", StringComparison.Ordinal)),
            ("signature of another timestamp", body, $"t={now - 1}," + StripeEmulatorServer.SignatureHeader(body, LocalDeployment.WebhookSecret, now).Split(',')[1]),
        };
        Check("the altered body differs", altered != body, leak: false);
        foreach (var (name, payload, signature) in cases)
        {
            var headers = signature is null ? null : new Dictionary<string, string> { ["Stripe-Signature"] = signature };
            var response = await SendAsync(HttpMethod.Post, "/webhooks/stripe", null, payload, headers);
            Check($"webhook with {name}: 400", response.Status == HttpStatusCode.BadRequest, leak: true, response);
        }

        await ExpectNothingPublishedAsync("webhooks that are not Stripe's");

        // The control: the same event signed right is accepted and queued, so the empty queue above means something.
        var signed = await SendAsync(HttpMethod.Post, "/webhooks/stripe", null, body, new() { ["Stripe-Signature"] = Sign(body, LocalDeployment.WebhookSecret) });
        Check("a webhook signed with the right secret: 200", signed.Status == HttpStatusCode.OK, leak: false, signed);
        var queued = await ReceiveAllAsync();
        Check("a webhook signed with the right secret: queued once", queued.Count == 1, leak: false);
    }

    private async Task ExpectNothingPublishedAsync(string what)
    {
        var queued = await ReceiveAllAsync();
        Check($"{what}: nothing published to payment-events", queued.Count == 0, leak: true);
    }

    /// <summary>Takes every message off the payment-events queue (deleting them), waiting a moment for stragglers.</summary>
    private async Task<List<Message>> ReceiveAllAsync()
    {
        using var sqs = _pipeline.Deployment.Sqs();
        var url = await _pipeline.Deployment.QueueUrlAsync("PaymentEventsQueue");
        var all = new List<Message>();
        while (true)
        {
            var batch = (await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 1, MaxNumberOfMessages = 10 })).Messages ?? [];
            if (batch.Count == 0)
            {
                return all;
            }

            all.AddRange(batch);
            foreach (var message in batch)
            {
                await sqs.DeleteMessageAsync(url, message.ReceiptHandle);
            }
        }
    }

    private static string Event(string id) =>
        new JsonObject
        {
            ["id"] = id,
            ["object"] = "event",
            ["type"] = "payment_intent.succeeded",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["data"] = new JsonObject { ["object"] = new JsonObject { ["id"] = "pi_access", ["object"] = "payment_intent", ["amount"] = 1500, ["currency"] = "usd", ["status"] = "succeeded", ["metadata"] = new JsonObject() } },
        }.ToJsonString();

    private static string Sign(string body, string secret) => StripeEmulatorServer.SignatureHeader(body, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    // ---------------------------------------------------------------- helpers

    private void Check(string name, bool ok, bool leak, Answer? answer = null)
    {
        _checks++;
        if (!ok)
        {
            (leak ? _leaks : _failures).Add(answer is null ? name : $"{name} — got {(int)answer.Status}: {answer.Text[..Math.Min(300, answer.Text.Length)]}");
        }
    }

    private sealed record Answer(HttpStatusCode Status, string Text, JsonNode? Json, Uri? Location, bool Replayed);

    private sealed record Created(string Id, string Description, string Token);

    private static JsonObject NewInvoice(string description)
    {
        var invoice = ApiCalls.NewInvoice(amount: 1500);
        invoice["description"] = $"{description} {Guid.NewGuid():N}";
        invoice["payerEmail"] = $"payer-{Guid.NewGuid():N}@example.com";
        return invoice;
    }

    private async Task<Created> CreateAsync(string user, string description)
    {
        var invoice = NewInvoice(description);
        var created = await SendAsync(HttpMethod.Post, "/invoices", user, invoice.ToJsonString());
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var payUrl = created.Json!["payUrl"]!.GetValue<string>();
        return new Created(created.Json["invoiceId"]!.GetValue<string>(), invoice["description"]!.GetValue<string>(), payUrl[(payUrl.LastIndexOf('/') + 1)..]);
    }

    private static List<string> Ids(Answer list) =>
        list.Json?["items"]?.AsArray().Select(i => i!["invoiceId"]!.GetValue<string>()).ToList() ?? [];

    /// <summary>Every invoice id of a user, read from the table (not through the API under test).</summary>
    private async Task<HashSet<string>> AllIdsAsync(string user)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string? after = null;
        do
        {
            var page = await _store.ListAsync(new InvoiceQuery(user, 100, after, null), default);
            ids.UnionWith(page.Items.Select(i => i.InvoiceId));
            after = page.LastInvoiceId;
        }
        while (after is not null);
        return ids;
    }

    private async Task<Answer> SendAsync(HttpMethod method, string path, string? identity, string? body = null, Dictionary<string, string>? headers = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, new Uri(_pipeline.Gateway.BaseUrl, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        }

        if (identity is not null)
        {
            request.Headers.Add(LocalApiGateway.IdentityHeader, identity);
        }

        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/json" && text.Length > 0)
        {
            try
            {
                json = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                // not JSON after all: compared as text
            }
        }

        return new Answer(response.StatusCode, text, json, response.Headers.Location, response.Headers.Contains("Idempotent-Replayed"));
    }
}
