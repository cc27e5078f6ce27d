using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// The Lambda Runtime API (2018-06-01) served over real HTTP on loopback, as the Lambda service serves it to a
/// function: events are queued by the test and handed out on /next with the Lambda-Runtime-* headers; responses and
/// errors come back to the test.
/// </summary>
public sealed class FakeRuntimeApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<PendingInvocation> _events = Channel.CreateUnbounded<PendingInvocation>();
    private readonly ConcurrentDictionary<string, PendingInvocation> _inFlight = new();
    private readonly TaskCompletionSource<RuntimeReply> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeRuntimeApi(WebApplication app) => _app = app;

    /// <summary>host:port, the value of AWS_LAMBDA_RUNTIME_API.</summary>
    public string Address { get; private set; } = "";

    public Task<RuntimeReply> InitError => _initError.Task;

    public static async Task<FakeRuntimeApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var api = new FakeRuntimeApi(app);
        app.MapGet("/2018-06-01/runtime/invocation/next", api.NextAsync);
        app.MapPost("/2018-06-01/runtime/invocation/{id}/response", (string id, HttpRequest request) => api.CompleteAsync(id, request, isError: false));
        app.MapPost("/2018-06-01/runtime/invocation/{id}/error", (string id, HttpRequest request) => api.CompleteAsync(id, request, isError: true));
        app.MapPost("/2018-06-01/runtime/init/error", api.InitErrorAsync);
        await app.StartAsync();
        api.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Authority;
        return api;
    }

    /// <summary>Queues one event and waits for the function's answer to it.</summary>
    public async Task<RuntimeReply> InvokeAsync(string payload, TimeSpan? timeout = null, string? traceId = null, string? clientContext = null)
    {
        var invocation = new PendingInvocation(Guid.NewGuid().ToString(), payload, DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(30)), traceId, clientContext);
        _inFlight[invocation.RequestId] = invocation;
        await _events.Writer.WriteAsync(invocation);
        return await invocation.Reply.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _app.DisposeAsync();
    }

    private async Task NextAsync(HttpContext context)
    {
        PendingInvocation invocation;
        try
        {
            invocation = await _events.Reader.ReadAsync(context.RequestAborted);
        }
        catch (ChannelClosedException)
        {
            context.Response.StatusCode = 500; // the environment is going away: the runtime must exit
            return;
        }

        var headers = context.Response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = invocation.Deadline.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-1:000000000000:function:test";
        if (invocation.TraceId is not null)
        {
            headers["Lambda-Runtime-Trace-Id"] = invocation.TraceId;
        }

        if (invocation.ClientContext is not null)
        {
            headers["Lambda-Runtime-Client-Context"] = invocation.ClientContext;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(invocation.Payload);
    }

    private async Task<IResult> CompleteAsync(string id, HttpRequest request, bool isError)
    {
        if (!_inFlight.TryRemove(id, out var invocation))
        {
            return Results.BadRequest();
        }

        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        invocation.Reply.SetResult(new RuntimeReply(isError, body, request.Headers["Lambda-Runtime-Function-Error-Type"].ToString(), request.ContentType));
        return Results.Accepted();
    }

    private async Task<IResult> InitErrorAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        _initError.TrySetResult(new RuntimeReply(true, await reader.ReadToEndAsync(), request.Headers["Lambda-Runtime-Function-Error-Type"].ToString(), request.ContentType));
        return Results.Accepted();
    }

    private sealed record PendingInvocation(string RequestId, string Payload, DateTimeOffset Deadline, string? TraceId, string? ClientContext)
    {
        public TaskCompletionSource<RuntimeReply> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>What the function posted back: a response, or an error with its type header.</summary>
public sealed record RuntimeReply(bool IsError, string Body, string ErrorType, string? ContentType);
