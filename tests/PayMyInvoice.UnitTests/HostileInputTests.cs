using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using PayMyInvoice.Api;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Core;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.Requests;
using PayMyInvoice.Http;
using PayMyInvoice.Infrastructure.Sns;
using PayMyInvoice.StripeEmulator;
using PayMyInvoice.Tests;
using PayMyInvoice.Workers.Payments;

namespace PayMyInvoice.UnitTests;

/// <summary>Issue 9, item 4: hostile input gets a clear 4xx and changes nothing; an unreachable table is a 503.</summary>
public sealed class HostileInputTests
{
    [Theory]
    [InlineData("\uFEFFpayer@example.com")]
    [InlineData("payer@example.com\u202E")]
    [InlineData("payer\0@example.com")]
    [InlineData("payer@exa\u2028mple.com")]
    [InlineData("payer\uFFFD@example.com")] // what bytes that were not UTF-8 became before we saw them
    public void A_payer_email_with_a_control_or_format_character_is_refused_naming_the_field(string email)
    {
        var input = InvoiceValidatorTests.Valid() with { PayerEmail = email };
        var error = Assert.Single(InvoiceValidator.Validate(input, ApiCalls.Alice).Failure!.Details!);
        Assert.Equal(("payerEmail", "invalid_characters"), (error.Field, error.Code));
    }

    [Fact]
    public void A_lone_surrogate_is_not_text()
    {
        // Built here: xUnit's theory data would turn a lone surrogate into U+FFFD on its way to the test.
        var input = InvoiceValidatorTests.Valid() with { PayerEmail = "payer@example.com" + '\ud800', Description = '\udc00' + "x" };
        Assert.Equal(["description", "payerEmail"], InvoiceValidator.Validate(input, ApiCalls.Alice).Failure!.Details!.Select(d => d.Field).Order());
        Assert.True(TextRules.HasHiddenCharacters("\ud83d\ude00\ud800"));
        Assert.False(TextRules.HasHiddenCharacters("\ud83d\ude00"));
    }

    [Theory]
    [InlineData("Consulting\0", false)]
    [InlineData("Consulting\n", false)]
    [InlineData("Consult\tng", false)]
    [InlineData("\u202Egnitlusnoc", false)]
    [InlineData("Consulting \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", true)] // a family emoji: joined by U+200D
    [InlineData("Cafe\u0301 \u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", true)] // a combining mark; Persian with U+200C
    public void A_description_is_one_line_of_visible_text_with_joiners_allowed(string description, bool accepted)
    {
        var input = InvoiceValidatorTests.Valid() with { Description = description, LineItems = [new LineItemInput(description, 1, 1500)] };
        var result = InvoiceValidator.Validate(input, ApiCalls.Alice);
        Assert.Equal(accepted, result.IsSuccess);
        if (!accepted)
        {
            Assert.Equal(["description", "lineItems[0].description"], result.Failure!.Details!.Select(d => d.Field).Order());
        }
    }

    [Fact]
    public void Currency_issuer_email_and_attachment_refuse_hidden_characters_too()
    {
        var input = InvoiceValidatorTests.Valid() with { Currency = "us\u200Bd", IssuerEmail = "me@example.com\uFEFF", Attachment = InvoiceValidator.AttachmentPrefix(ApiCalls.Alice) + "a\u202Efdp.exe" };
        var details = InvoiceValidator.Validate(input, ApiCalls.Alice).Failure!.Details!;
        Assert.Equal(["currency", "issuerEmail"], details.Where(d => d.Code == "invalid_characters").Select(d => d.Field).Order());
        Assert.Contains(details, d => d is { Field: "attachment", Code: "not_own_upload" });
    }

    [Theory]
    [InlineData("pm_card_visa", true)]
    [InlineData("pm_card_chargeDeclinedInsufficientFunds", true)]
    [InlineData("pm_1Q0PsIJvEtkwdCNYMSaVuRz6", true)]
    [InlineData("pm_card_visa\0", false)]
    [InlineData("pm_", false)]
    [InlineData("pm_card visa", false)]
    [InlineData("pm_card_vis\u0430", false)] // a Cyrillic a
    [InlineData("pm_card-visa", false)]
    [InlineData("card_visa", false)]
    public void A_payment_method_id_has_Stripes_shape(string id, bool wellFormed) =>
        Assert.Equal(wellFormed, PaymentMethods.Check(id) is null);

    [Theory]
    [InlineData(129, "x", false)]
    [InlineData(128, "x", true)]
    [InlineData(1, "us-east-1:aaaa\u0001", false)]
    [InlineData(1, "us-east-1:aaaa\u202E", false)]
    [InlineData(1, "us-east-1:a, us-east-1:b", false)]
    [InlineData(1, ApiCalls.Alice, true)]
    public async Task An_identity_no_Cognito_identity_could_be_is_refused_with_401_before_any_handler(int repeat, string identity, bool plausible)
    {
        var id = string.Concat(Enumerable.Repeat(identity, repeat));
        var store = new CountingStore();
        var api = new ApiCalls(ApiFunctions.Create(() => store, TestPayLinks.Keys));
        var result = await api.ListAsync(userId: id);
        Assert.Equal(plausible, HttpFunction.IsPlausibleIdentity(id));
        if (!plausible)
        {
            Assert.Equal((401, "unauthorized"), (result.Status, result.ErrorCode));
            Assert.Equal(0, store.Calls);
        }
    }

    public static TheoryData<string, Exception, bool> Failures() => new()
    {
        { "connection refused", new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)), true },
        { "socket", new SocketException((int)SocketError.TimedOut), true },
        { "SDK timeout", new TaskCanceledException("timed out"), true },
        { "SDK wrapping", new AmazonClientException("unable to reach", new HttpRequestException("reset")), true },
        { "DynamoDB 500", new AmazonDynamoDBException("internal") { StatusCode = HttpStatusCode.InternalServerError, ErrorCode = "InternalServerError" }, true },
        { "DynamoDB 503", new AmazonDynamoDBException("unavailable") { StatusCode = HttpStatusCode.ServiceUnavailable }, true },
        { "throttled", new ProvisionedThroughputExceededException("slow down") { StatusCode = HttpStatusCode.BadRequest, ErrorCode = "ProvisionedThroughputExceededException" }, true },
        { "throttled (ThrottlingException)", new AmazonDynamoDBException("slow down") { StatusCode = HttpStatusCode.BadRequest, ErrorCode = "ThrottlingException" }, true },
        { "validation (a bug)", new AmazonDynamoDBException("key too long") { StatusCode = HttpStatusCode.BadRequest, ErrorCode = "ValidationException" }, false },
        { "condition (a bug if unhandled)", new ConditionalCheckFailedException("no") { StatusCode = HttpStatusCode.BadRequest }, false },
        { "our bug", new InvalidOperationException("oops"), false },
        { "connection ended while reading", new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely."), true },
        { "our I/O bug", new IOException("disk"), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void An_unreachable_or_overloaded_service_is_told_apart_from_a_bug(string what, Exception error, bool unavailable) =>
        Assert.True(unavailable == HttpFunction.IsUnavailable(error, CancellationToken.None), what);

    [Fact]
    public void The_callers_own_cancellation_is_not_an_unavailable_service()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.False(HttpFunction.IsUnavailable(new OperationCanceledException(cancelled.Token), cancelled.Token));
    }

    [Fact]
    public async Task An_unreachable_table_is_a_503_with_Retry_After_in_the_error_shape_with_CORS()
    {
        var store = new CountingStore { Throw = () => new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused)) };
        var api = new ApiCalls(ApiFunctions.Create(() => store, TestPayLinks.Keys, "https://app.example.com"));
        foreach (var result in new[] { await api.GetAsync(InvoiceIds.New()), await api.ListAsync(), await api.CreateAsync("""{"payerEmail":"p@example.com","description":"x","amount":1500,"currency":"USD","dueDate":"2030-01-01"}""") })
        {
            Assert.Equal((503, "service_unavailable"), (result.Status, result.ErrorCode));
            Assert.Equal("2", result.Headers["Retry-After"]);
            Assert.Equal("https://app.example.com", result.Headers["Access-Control-Allow-Origin"]);
        }
    }

    [Fact]
    public async Task The_SDKs_own_timeout_is_a_503_too()
    {
        var store = new CountingStore { Throw = () => new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout") };
        var api = new ApiCalls(ApiFunctions.Create(() => store, TestPayLinks.Keys));
        Assert.Equal(503, (await api.GetAsync(InvoiceIds.New())).Status);
    }

    [Theory]
    [InlineData(new byte[] { 0x7B, 0xFF, 0x7D })] // { 0xFF }
    [InlineData(new byte[] { 0x7B, 0x22, 0xC3, 0x22, 0x3A, 0x31, 0x7D })] // a truncated two-byte sequence in a name
    [InlineData(new byte[] { 0x7B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x3A, 0x31, 0x7D })] // an encoded surrogate (CESU)
    public async Task A_body_that_is_not_UTF8_is_a_400_malformed_body_not_U_FFFD(byte[] body)
    {
        var store = new CountingStore();
        var api = new ApiCalls(ApiFunctions.Create(() => store, TestPayLinks.Keys));
        var request = ApiCalls.Event("POST", "/invoices", body: Convert.ToBase64String(body));
        request.IsBase64Encoded = true;
        var result = await api.SendAsync("createInvoice", request);
        Assert.Equal((400, "malformed_body"), (result.Status, result.ErrorCode));
        Assert.Equal(0, store.Calls);
    }

    [Theory]
    [InlineData("{\"payerEmail\":\"\\ud800@example.com\"}")] // escaped in the JSON the client sent
    [InlineData("{\"payerEmail\":\"\\udc00\\ud800@example.com\"}")]
    public async Task A_lone_surrogate_is_a_400_never_stored(string body)
    {
        var store = new CountingStore();
        var api = new ApiCalls(ApiFunctions.Create(() => store, TestPayLinks.Keys));
        var result = await api.SendAsync("createInvoice", ApiCalls.Event("POST", "/invoices", body: body));
        Assert.Equal(400, result.Status);
        Assert.NotNull(result.ErrorCode);
        Assert.Equal(0, store.Calls);
    }

    [Fact]
    public async Task A_lone_surrogate_in_the_events_body_string_is_a_400()
    {
        // The event's JSON cannot carry one (System.Text.Json writes it as U+FFFD), so this is validation's 400;
        // HttpCall's strict encoder makes it malformed_body should one ever arrive.
        var store = new CountingStore();
        var api = new ApiCalls(ApiFunctions.Create(() => store, TestPayLinks.Keys));
        var result = await api.SendAsync("createInvoice", ApiCalls.Event("POST", "/invoices", body: "{\"payerEmail\":\"" + '\ud800' + "\"}"));
        Assert.Equal(400, result.Status);
        Assert.Equal(0, store.Calls);
    }

    [Fact]
    public async Task Paying_with_a_NUL_in_the_payment_method_is_a_400_naming_the_field()
    {
        var store = new CountingStore();
        var api = new ApiCalls(ApiFunctions.Create(() => store, TestPayLinks.Keys));
        var id = InvoiceIds.New();
        var request = ApiCalls.Event("POST", $"/invoices/{id}/pay", body: "{\"paymentMethodId\":\"pm_card_visa\\u0000\"}", id: id);
        var result = await api.SendAsync("payInvoice", request);
        Assert.Equal((400, "validation_failed"), (result.Status, result.ErrorCode));
        Assert.Equal("paymentMethodId", result.Body!["error"]!["details"]![0]!["field"]!.GetValue<string>());
        Assert.Equal(0, store.Calls);
    }

    public static TheoryData<string> NotStripeEvents() =>
    [
        "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\"", // truncated
        "[1,2]",
        "\"event\"",
        "{\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{}}}", // no id
        "{\"id\":\"evt_1\",\"data\":{\"object\":{}}}", // no type
        "{\"id\":\"evt_1\",\"type\":42,\"data\":{\"object\":{}}}",
        "{\"id\":7,\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{}}}",
        "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\"}", // no data
        "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":null}}",
        "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\",\"data\":[]}",
        "{\"id\":\"evt_1\",\"type\":\"checkout.session.completed\",\"data\":{\"object\":\"x\"}}",
        string.Concat(Enumerable.Repeat("[", 1_000)) + string.Concat(Enumerable.Repeat("]", 1_000)),
    ];

    [Theory]
    [MemberData(nameof(NotStripeEvents))]
    public async Task A_validly_signed_body_that_is_not_a_Stripe_event_is_a_400_and_nothing_is_published(string body)
    {
        var result = await WebhookAsync(body, StripeEmulatorServer.SignatureHeader(body, WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        Assert.Equal(400, result.StatusCode);
        Assert.Contains("\"malformed_json\"", result.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_validly_signed_Stripe_event_goes_on_to_be_published()
    {
        const string body = "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"id\":\"pi_1\"}}}";
        var result = await WebhookAsync(body, StripeEmulatorServer.SignatureHeader(body, WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        Assert.Equal(503, result.StatusCode); // the test's SNS endpoint refuses connections: it got as far as publishing
    }

    [Theory]
    [InlineData("t=abc,v1=")]
    [InlineData("t=,v1=")]
    [InlineData("t=2147483648,v1=")]
    [InlineData("t=99999999999999999999999,v1=")]
    [InlineData("t=-5,v1=")]
    [InlineData("t=1e3,v1=")]
    [InlineData("t")]
    [InlineData(",,,")]
    public async Task A_signature_whose_t_is_not_a_small_whole_number_is_a_400_not_a_500(string header)
    {
        const string body = "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{}}}";
        var result = await WebhookAsync(body, header + new string('0', 64));
        Assert.Equal(400, result.StatusCode);
        Assert.Contains("\"invalid_signature\"", result.Body, StringComparison.Ordinal);
    }

    private const string WebhookSecret = "whsec_hostile";

    private static async Task<APIGatewayProxyResponse> WebhookAsync(string body, string signature)
    {
        using var sns = new SnsClient(new BasicAWSCredentials("local", "local"), Amazon.RegionEndpoint.USEast1, new Uri("http://127.0.0.1:9/"));
        var webhook = new StripeWebhookFunction(WebhookSecret, sns, "arn:aws:sns:us-east-1:000000000000:payment-events", TimeProvider.System);
        var request = ApiCalls.Event("POST", "/webhooks/stripe", userId: null, body: body);
        request.Headers!["Stripe-Signature"] = signature;
        return await webhook.HandleAsync(new HttpCall(request, null, new TestLambdaContext()), CancellationToken.None);
    }

    /// <summary>Counts every store call; throws what <see cref="Throw"/> makes, if set.</summary>
    private sealed class CountingStore : IInvoiceStore
    {
        public int Calls;
        public Func<Exception>? Throw { get; init; }

        private T Call<T>(T value)
        {
            Interlocked.Increment(ref Calls);
            return Throw is { } make ? throw make() : value;
        }

        public Task<bool> TryCreateAsync(Invoice invoice, CancellationToken cancellationToken) => Call(Task.FromResult(true));

        public Task<Invoice?> GetAsync(string userId, string invoiceId, CancellationToken cancellationToken) => Call(Task.FromResult<Invoice?>(null));

        public Task<InvoicePage> ListAsync(InvoiceQuery query, CancellationToken cancellationToken) => Call(Task.FromResult(new InvoicePage([], null)));

        public Task<bool> TryReplaceAsync(Invoice invoice, long expectedVersion, CancellationToken cancellationToken) => Call(Task.FromResult(true));

        public IAsyncEnumerable<(string UserId, string InvoiceId)> ListOverdueAsync(DateOnly today, CancellationToken cancellationToken) => Call(AsyncEnumerable.Empty<(string, string)>());

        public Task<Invoice?> FindByPayLinkAsync(string tokenHash, CancellationToken cancellationToken) => Call(Task.FromResult<Invoice?>(null));

        public IAsyncEnumerable<(string UserId, string InvoiceId)> ListPendingAsync(InvoiceStatus status, DateTimeOffset before, CancellationToken cancellationToken) => Call(AsyncEnumerable.Empty<(string, string)>());

        public Task<bool> TryDeleteAsync(string userId, string invoiceId, long expectedVersion, CancellationToken cancellationToken) => Call(Task.FromResult(true));

        public Task<StoreWrite> TryCreateAsync(Invoice invoice, RememberedRequest request, CancellationToken cancellationToken) => Call(Task.FromResult(StoreWrite.Written));

        public Task<StoreWrite> TryReplaceAsync(Invoice invoice, long expectedVersion, RememberedRequest request, CancellationToken cancellationToken) => Call(Task.FromResult(StoreWrite.Written));

        public Task<RememberedRequest?> FindRequestAsync(string userId, string keyHash, CancellationToken cancellationToken) => Call(Task.FromResult<RememberedRequest?>(null));
    }
}
