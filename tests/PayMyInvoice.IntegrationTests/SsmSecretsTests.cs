using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using PayMyInvoice.Infrastructure.Secrets;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// Secrets named by SSM parameters, read at init with the real AWSSDK.SimpleSystemsManagement client. SSM has no
/// local stand-in on this machine, so the peer here is a small HTTP endpoint answering SSM's documented JSON protocol
/// (<c>AmazonSSM.GetParameters</c>); it records each request so the test can see what the SDK asked for.
/// </summary>
public sealed class SsmSecretsTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(string Target, string Authorization, JsonNode Body)> _requests = new();
    private WebApplication _ssm = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _ssm = builder.Build();
        _ssm.MapPost("/", async (HttpContext context) =>
        {
            var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!;
            _requests.Enqueue((context.Request.Headers["X-Amz-Target"].ToString(), context.Request.Headers.Authorization.ToString(), body));
            var names = body["Names"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
            var stored = new Dictionary<string, string> { ["/paymyinvoice/prod/stripe-secret-key"] = "sk_from_ssm", ["/paymyinvoice/prod/smtp-password"] = "hunter2" };
            var answer = new JsonObject
            {
                ["Parameters"] = new JsonArray(names.Where(stored.ContainsKey).Select(n => (JsonNode)new JsonObject
                {
                    ["Name"] = n, ["Type"] = "SecureString", ["Value"] = body["WithDecryption"]?.GetValue<bool>() == true ? stored[n] : "AQICAH...encrypted", ["Version"] = 1,
                }).ToArray()),
                ["InvalidParameters"] = new JsonArray(names.Where(n => !stored.ContainsKey(n)).Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
            };
            return Results.Text(answer.ToJsonString(), "application/x-amz-json-1.1");
        });
        await _ssm.StartAsync();
    }

    public async Task DisposeAsync() => await _ssm.DisposeAsync();

    private AmazonSimpleSystemsManagementClient Client() => new(
        new BasicAWSCredentials("local", "local"),
        new AmazonSimpleSystemsManagementConfig { ServiceURL = _ssm.Urls.First(), AuthenticationRegion = "us-east-1" });

    [Fact]
    public async Task Every_secret_parameter_is_read_decrypted_in_one_signed_call_and_answered_by_its_name()
    {
        var settings = await SsmSecrets.ResolveAsync(
            new Dictionary<string, string>
            {
                ["STRIPE_SECRET_KEY_SSM_PARAMETER"] = "/paymyinvoice/prod/stripe-secret-key",
                ["SMTP_PASSWORD_SSM_PARAMETER"] = "/paymyinvoice/prod/smtp-password",
                ["INVOICES_TABLE"] = "invoices",
            },
            Client,
            CancellationToken.None);

        Assert.Equal("sk_from_ssm", settings("STRIPE_SECRET_KEY"));
        Assert.Equal("hunter2", settings("SMTP_PASSWORD"));
        Assert.Equal("invoices", settings("INVOICES_TABLE"));
        var (target, authorization, body) = Assert.Single(_requests);
        Assert.Equal("AmazonSSM.GetParameters", target);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=local/", authorization, StringComparison.Ordinal);
        Assert.Contains("/us-east-1/ssm/aws4_request", authorization, StringComparison.Ordinal);
        Assert.True(body["WithDecryption"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_value_set_directly_wins_and_no_parameters_means_no_call()
    {
        var settings = await SsmSecrets.ResolveAsync(
            new Dictionary<string, string> { ["STRIPE_SECRET_KEY_SSM_PARAMETER"] = "/paymyinvoice/prod/stripe-secret-key", ["STRIPE_SECRET_KEY"] = "sk_test_local" },
            () => throw new InvalidOperationException("SSM must not be called"),
            CancellationToken.None);

        Assert.Equal("sk_test_local", settings("STRIPE_SECRET_KEY"));
        Assert.Empty(_requests);
    }

    [Fact]
    public async Task A_missing_parameter_fails_init_naming_it()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SsmSecrets.ResolveAsync(
            new Dictionary<string, string> { ["STRIPE_WEBHOOK_SECRET_SSM_PARAMETER"] = "/paymyinvoice/prod/stripe-webhook-secret" }, Client, CancellationToken.None));
        Assert.Contains("/paymyinvoice/prod/stripe-webhook-secret", error.Message, StringComparison.Ordinal);
    }
}
