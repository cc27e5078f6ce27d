using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using PayMyInvoice.Local.RuntimeApi;

namespace PayMyInvoice.IntegrationTests;

/// <summary>The local Runtime API on the wire, spoken to with a plain HTTP client as a custom runtime would.</summary>
public sealed class LocalRuntimeApiTests : IAsyncLifetime
{
    private LocalRuntimeApi _runtime = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _runtime = await LocalRuntimeApi.StartAsync("getInvoice");
        _http = new HttpClient { BaseAddress = new Uri($"http://{_runtime.Address}/2018-06-01/runtime/") };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _runtime.DisposeAsync();
    }

    [Fact]
    public async Task Next_hands_out_the_event_with_Lambdas_headers_and_response_completes_it()
    {
        var reply = _runtime.InvokeAsync("""{"n":1}"""u8.ToArray(), TimeSpan.FromSeconds(20), clientContext: """{"custom":{"a":1}}""", cognitoIdentity: """{"cognitoIdentityId":"us-east-1:1"}""");

        using var next = await _http.GetAsync("invocation/next");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal("application/json", next.Content.Headers.ContentType!.MediaType);
        Assert.Equal("""{"n":1}""", await next.Content.ReadAsStringAsync());
        var requestId = Header(next, "Lambda-Runtime-Aws-Request-Id");
        Assert.True(Guid.TryParse(requestId, out _));
        var deadline = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(Header(next, "Lambda-Runtime-Deadline-Ms"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(deadline - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(18), TimeSpan.FromSeconds(20));
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:getInvoice", Header(next, "Lambda-Runtime-Invoked-Function-Arn"));
        Assert.Matches("^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$", Header(next, "Lambda-Runtime-Trace-Id")); // always sent, as Lambda does
        Assert.Equal("""{"custom":{"a":1}}""", Header(next, "Lambda-Runtime-Client-Context"));
        Assert.Equal("""{"cognitoIdentityId":"us-east-1:1"}""", Header(next, "Lambda-Runtime-Cognito-Identity"));

        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync($"invocation/{requestId}/response", """{"ok":true}""")).StatusCode);
        var result = await reply;
        Assert.Equal(InvocationOutcome.Response, result.Outcome);
        Assert.Equal(requestId, result.RequestId);
        Assert.Equal("""{"ok":true}""", result.Text);
        Assert.True(result.QueuedAt <= result.HandedOutAt && result.HandedOutAt <= result.CompletedAt);

        // An answered id is a state error, an id never handed out a bad request; both carry Lambda's error body.
        await AssertRefusedAsync(await PostAsync($"invocation/{requestId}/response", "{}"), HttpStatusCode.Forbidden, "InvalidStateTransition");
        await AssertRefusedAsync(await PostAsync("invocation/no-such-id/response", "{}"), HttpStatusCode.BadRequest, "InvalidRequestID");
        await AssertRefusedAsync(await PostAsync("init/error", "{}", "Runtime.Late"), HttpStatusCode.Forbidden, "InvalidStateTransition");
    }

    [Fact]
    public async Task Payloads_over_Lambdas_6_MB_are_refused_both_ways()
    {
        var tooLarge = new string('a', LocalRuntimeApi.MaxPayloadBytes - 1);
        Assert.Throws<ArgumentException>(() => { _ = _runtime.InvokeAsync(Encoding.UTF8.GetBytes($"\"{tooLarge}\""), TimeSpan.FromSeconds(20)); });

        var reply = _runtime.InvokeAsync("{}"u8.ToArray(), TimeSpan.FromSeconds(20));
        using var next = await _http.GetAsync("invocation/next");
        var requestId = Header(next, "Lambda-Runtime-Aws-Request-Id");

        await AssertRefusedAsync(await PostAsync($"invocation/{requestId}/response", $"\"{tooLarge}\""), HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLarge");
        var result = await reply;
        Assert.Equal((InvocationOutcome.Error, "Function.ResponseSizeTooLarge"), (result.Outcome, result.ErrorType));
        Assert.Equal("Function.ResponseSizeTooLarge", JsonNode.Parse(result.Text)!["errorType"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_invocation_error_carries_its_error_type_and_a_given_trace_id_is_passed_on()
    {
        const string trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        var reply = _runtime.InvokeAsync("{}"u8.ToArray(), TimeSpan.FromSeconds(5), traceId: trace);

        using var next = await _http.GetAsync("invocation/next");
        Assert.Equal(trace, Header(next, "Lambda-Runtime-Trace-Id"));
        Assert.False(next.Headers.Contains("Lambda-Runtime-Client-Context")); // only when set
        using var posted = await PostAsync($"invocation/{Header(next, "Lambda-Runtime-Aws-Request-Id")}/error", """{"errorMessage":"no","errorType":"Boom"}""", "Boom");

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var result = await reply;
        Assert.Equal(InvocationOutcome.Error, result.Outcome);
        Assert.Equal("Boom", result.ErrorType);
        Assert.Equal("application/vnd.aws.lambda.error+json", result.ContentType);
    }

    [Fact]
    public async Task An_event_not_answered_by_its_deadline_times_out_and_a_late_answer_is_refused()
    {
        var reply = _runtime.InvokeAsync("{}"u8.ToArray(), TimeSpan.FromMilliseconds(500));
        using var next = await _http.GetAsync("invocation/next");

        var result = await reply.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(InvocationOutcome.TimedOut, result.Outcome);
        Assert.Equal("Sandbox.Timedout", result.ErrorType);
        Assert.InRange(result.Duration, TimeSpan.FromMilliseconds(490), TimeSpan.FromSeconds(5));
        Assert.Contains("Task timed out after 0.50 seconds", result.Text, StringComparison.Ordinal);
        await AssertRefusedAsync(await PostAsync($"invocation/{Header(next, "Lambda-Runtime-Aws-Request-Id")}/response", "{}"), HttpStatusCode.Forbidden, "InvalidStateTransition");
    }

    [Fact]
    public async Task Next_waits_for_an_event_and_a_caller_may_give_up_on_one_not_yet_taken()
    {
        using var giveUp = new CancellationTokenSource();
        var abandoned = _runtime.InvokeAsync("""{"n":"abandoned"}"""u8.ToArray(), TimeSpan.FromSeconds(5), cancellationToken: giveUp.Token);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        var next = _http.GetAsync("invocation/next");
        await Task.Delay(200);
        Assert.False(next.IsCompleted); // long-polls: nothing is queued
        var reply = _runtime.InvokeAsync("""{"n":"kept"}"""u8.ToArray(), TimeSpan.FromSeconds(5));
        using var taken = await next.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("""{"n":"kept"}""", await taken.Content.ReadAsStringAsync());
        await PostAsync($"invocation/{Header(taken, "Lambda-Runtime-Aws-Request-Id")}/response", "{}");
        Assert.False((await reply).IsError);
    }

    private static string Header(HttpResponseMessage response, string name) => Assert.Single(response.Headers.GetValues(name));

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string? errorType = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(errorType is null ? "application/json" : "application/vnd.aws.lambda.error+json");
        if (errorType is not null)
        {
            request.Headers.Add("Lambda-Runtime-Function-Error-Type", errorType);
        }

        return await _http.SendAsync(request);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string errorType)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal(errorType, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errorType"]!.GetValue<string>());
        }
    }
}
