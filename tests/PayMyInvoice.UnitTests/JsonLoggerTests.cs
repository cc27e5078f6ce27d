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
}
