using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.UnitTests;

public sealed class JsonLoggerTests
{
    private static readonly FunctionEnvironment Environment = FunctionEnvironment.FromVariables(name => name switch
    {
        "AWS_LAMBDA_FUNCTION_NAME" => "paymyinvoice-dev-createInvoice",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE" => "512",
        "POWERTOOLS_SERVICE_NAME" => "paymyinvoice",
        "AWS_LAMBDA_LOG_LEVEL" => "WARN",
        _ => null,
    });

    [Fact]
    public void A_line_carries_the_Powertools_field_names()
    {
        var output = new StringWriter();
        var logger = new JsonLogger(Environment, output, new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero)))
        {
            Scope = new InvocationScope("req-1", "arn:aws:lambda:us-east-1:1:function:f", "Root=1-abc", ColdStart: true),
        };

        logger.LogError("it broke", new InvalidOperationException("boom"));

        var line = JsonNode.Parse(output.ToString())!;
        Assert.Equal("Error", line["level"]!.GetValue<string>());
        Assert.Equal("it broke", line["message"]!.GetValue<string>());
        Assert.Equal("2026-11-27T10:00:00.000Z", line["timestamp"]!.GetValue<string>());
        Assert.Equal("paymyinvoice", line["service"]!.GetValue<string>());
        Assert.True(line["cold_start"]!.GetValue<bool>());
        Assert.Equal("paymyinvoice-dev-createInvoice", line["function_name"]!.GetValue<string>());
        Assert.Equal(512, line["function_memory_size"]!.GetValue<int>());
        Assert.Equal("req-1", line["function_request_id"]!.GetValue<string>());
        Assert.Equal("Root=1-abc", line["xray_trace_id"]!.GetValue<string>());
        Assert.Contains("boom", line["exception"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_below_the_configured_level_are_not_written()
    {
        var output = new StringWriter();
        var logger = new JsonLogger(Environment, output, TimeProvider.System);
        logger.LogInformation("chatty");
        logger.LogWarning("worth knowing");
        Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Extra_fields_are_top_level_keys_and_never_replace_the_standard_ones()
    {
        var output = new StringWriter();
        var logger = new JsonLogger(Environment, output, TimeProvider.System);

        logger.LogError("refused", new Dictionary<string, string> { ["error_class"] = "stripe_configuration", ["level"] = "Information" });

        var line = JsonNode.Parse(output.ToString())!;
        Assert.Equal("stripe_configuration", line["error_class"]!.GetValue<string>());
        Assert.Equal("Error", line["level"]!.GetValue<string>());
    }

    [Fact]
    public async Task Concurrent_invocations_of_one_host_each_log_their_own_request_id()
    {
        var text = new StringWriter();
        var output = TextWriter.Synchronized(text);
        var environment = FunctionEnvironment.FromVariables(name => name == "AWS_LAMBDA_LOG_LEVEL" ? "DEBUG" : null);
        var logger = new JsonLogger(environment, output, TimeProvider.System);
        var host = new LambdaHost(environment, logger, TimeProvider.System);
        var function = new Chatty(logger);
        const int Invocations = 64;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, Invocations).Select(i => Task.Run(() => host.HandleAsync(
            function,
            new InvocationRequest($"req-{i}", DateTimeOffset.UtcNow.AddMinutes(1), "arn:aws:lambda:us-east-1:1:function:f", null, null, null, System.Text.Encoding.UTF8.GetBytes($"\"req-{i}\"")),
            coldStart: i == 0,
            CancellationToken.None))));

        Assert.All(outcomes, o => Assert.Null(o.Error));
        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(Invocations * Chatty.LinesPerInvocation, lines.Count);
        foreach (var line in lines)
        {
            // Each line's message names the invocation that wrote it; its scope must say the same.
            Assert.Equal(line["message"]!.GetValue<string>().Split(' ')[0], line["function_request_id"]?.GetValue<string>());
        }

        Assert.Equal(Invocations, lines.Select(l => l["function_request_id"]!.GetValue<string>()).Distinct().Count());
        logger.LogInformation("after every invocation");
        Assert.Null(JsonNode.Parse(text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1])!["function_request_id"]);
    }

    /// <summary>Logs through its context and through the shared logger it was built with, across awaits and thread hops.</summary>
    private sealed class Chatty(JsonLogger shared) : ILambdaFunction
    {
        public const int LinesPerInvocation = 5;

        public async Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken)
        {
            var me = System.Text.Json.JsonSerializer.Deserialize<string>(payload.Span)!;
            context.Logger.LogInformation($"{me} started");
            await Task.Yield();
            shared.LogInformation($"{me} through the shared logger");
            await Task.Delay(Random.Shared.Next(1, 5), cancellationToken);
            context.Logger.LogWarning($"{me} after a delay");
            await Task.Run(() => shared.LogInformation($"{me} on another task"), cancellationToken);
            context.Logger.LogDebug($"{me} done");
            return [];
        }
    }

    [Theory]
    [InlineData("sent to payer@example.com", "sent to p***@example.com")]
    [InlineData("to \"Jane.Doe+inv@mail.example.co.uk\", cc x@y.io", "to \"J***@mail.example.co.uk\", cc x***@y.io")]
    [InlineData("charging pm_card_visa now", "charging pm_****visa now")]
    [InlineData("method pm_1NabcDEFghiJKLmnoPQRstu9XyZ", "method pm_****9XyZ")]
    [InlineData("pm_abc", "pm_****")]
    [InlineData("token tok_chargeDeclined and src_1AbCdEfGh12345", "token tok_****ined and src_****2345")]
    [InlineData("card card_1MvoiELkdIwHu7ixOeFGbN9D", "card card_****bN9D")]
    [InlineData("key sk_test_51Habc123 and sk_live_XyZ and rk_test_abc", "key sk_test_**** and sk_live_**** and rk_test_****")]
    [InlineData("secret whsec_local!", "secret whsec_****!")]
    [InlineData("client secret pi_3Nabc123_secret_XyZ789", "client secret pi_3Nabc123_secret_****")]
    [InlineData("Stripe-Signature: t=1700000000,v1=abc,v0=def", "Stripe-Signature: ****")]
    [InlineData("{\"stripe-signature\":\"t=1,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd\"}", "{\"stripe-signature\":\"****\"}")]
    [InlineData("{\"Stripe-Signature\":[\"t=1,v1=abc\"]}", "{\"Stripe-Signature\":[\"****\"]}")]
    [InlineData("sig t=1,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd", "sig t=1,v1=****")]
    [InlineData("GET /pay/Zm9vYmFyYmF6cXV4LXF1dXgtMTIzNDU2Nzg5MGFi?checkout=success", "GET /pay/****?checkout=success")]
    [InlineData("token oSuxZAxzbAqCveuPf-J3-KyDRTZ8Dsbh5EjkmrzyrlQ seen", "token **** seen")]
    public void Sensitive_values_are_masked(string text, string masked) => Assert.Equal(masked, LogMasking.Mask(text));

    [Theory]
    [InlineData("payment pi_3NabcDEF123 of invoice 01JD7Z3X5K and session cs_test_a1B2c3 event evt_1Nxyz")]
    [InlineData("Your card was declined: card_declined (card_velocity_exceeded)")]
    [InlineData("payment pay_0123456789abcdef0123456789abcdef requested")]
    [InlineData("stream record 4900000000000000000000001 failed; user@localhost has no domain")]
    [InlineData("overdue run for 2026-11-27: 3 invoice(s) reminded")]
    [InlineData("function paymyinvoice-t0123456789-reconcilePayments failed")]
    [InlineData("a_very_long_snake_case_identifier_with_43ch and AVeryLongPascalCaseIdentifierWithoutDigitsX are kept")]
    [InlineData("at PayMyInvoice.Workers.Payments.StripeWebhookFunction.InvokeAsync() in /src/Workers/Payments/StripeWebhookFunction.cs:line 57")]
    [InlineData("")]
    public void Values_that_are_not_secrets_are_kept(string text) => Assert.Equal(text, LogMasking.Mask(text));

    [Fact]
    public void Message_fields_and_exception_text_are_masked_in_the_line()
    {
        var output = new StringWriter();
        var logger = new JsonLogger(Environment, output, TimeProvider.System);

        logger.Log(
            LogLevel.Error,
            "payer payer@example.com paid with pm_card_visa",
            new InvalidOperationException("Stripe said: invalid key sk_test_abc123 for whsec_local"),
            new Dictionary<string, string> { ["payer_email"] = "payer@example.com", ["payment_intent"] = "pi_123" });

        var text = output.ToString();
        foreach (var secret in new[] { "payer@example.com", "pm_card_visa", "sk_test_abc123", "whsec_local" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        var line = JsonNode.Parse(text)!;
        Assert.Equal("payer p***@example.com paid with pm_****visa", line["message"]!.GetValue<string>());
        Assert.Equal("p***@example.com", line["payer_email"]!.GetValue<string>());
        Assert.Equal("pi_123", line["payment_intent"]!.GetValue<string>());
        Assert.Contains("invalid key sk_test_**** for whsec_****", line["exception"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_line_without_candidates_is_returned_as_it_is()
    {
        var text = "overdue run for 2026-11-27: 3 invoice(s) reminded";
        Assert.Same(text, LogMasking.Mask(text));
    }

    [Fact]
    public async Task With_POWERTOOLS_LOGGER_LOG_EVENT_the_host_logs_each_event_masked()
    {
        var output = new StringWriter();
        var environment = FunctionEnvironment.FromVariables(name => name == "POWERTOOLS_LOGGER_LOG_EVENT" ? "true" : null);
        var host = new LambdaHost(environment, new JsonLogger(environment, output, TimeProvider.System), TimeProvider.System);
        var payload = """{"body":"{\"payerEmail\":\"payer@example.com\",\"paymentMethodId\":\"pm_card_visa\"}"}"""u8.ToArray();

        var outcome = await host.HandleAsync(new Quiet(), new InvocationRequest("req-e", DateTimeOffset.UtcNow.AddMinutes(1), "arn", null, null, null, payload), coldStart: true, CancellationToken.None);

        Assert.Null(outcome.Error);
        var first = JsonNode.Parse(output.ToString().Split('\n')[0])!;
        Assert.Equal("req-e", first["function_request_id"]!.GetValue<string>());
        Assert.Contains("p***@example.com", first["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("pm_****visa", first["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("payer@example.com", output.ToString(), StringComparison.Ordinal);
    }

    private sealed class Quiet : ILambdaFunction
    {
        public Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken) => Task.FromResult<byte[]>([]);
    }
}
