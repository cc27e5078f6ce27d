using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Local.RuntimeApi;

/// <summary>
/// AWS Lambda's Runtime API (2018-06-01) on loopback, serving one execution environment as Lambda serves it: a function
/// process pointed at <see cref="Address"/> (<c>AWS_LAMBDA_RUNTIME_API</c>) long-polls <c>next</c>, answers on
/// <c>response</c> or <c>error</c>, or reports a failed init on <c>init/error</c>. Events queued by
/// <see cref="InvokeAsync"/> are handed out in order, each as soon as <c>next</c> asks: await each call to send them one
/// by one, or start many to keep the function busy as fast as it takes them. Use one instance per function process,
/// as Lambda gives each environment its own API: the first <c>next</c> marks the end of that process's init.
/// </summary>
public sealed class LocalRuntimeApi : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime";
    private readonly WebApplication _app;
    private readonly string _functionArn;
    private readonly Channel<Invocation> _queue = Channel.CreateUnbounded<Invocation>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly ConcurrentDictionary<string, Invocation> _handedOut = new();
    // Ids already answered or timed out: a second answer is a state error (403), not an unknown id (400).
    private readonly ConcurrentDictionary<string, byte> _finished = new();
    private readonly TaskCompletionSource<long> _firstNext = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<RuntimeInitError> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LocalRuntimeApi(WebApplication app, string functionArn)
    {
        _app = app;
        _functionArn = functionArn;
    }

    /// <summary>
    /// Lambda's limit on a synchronous invocation's event and on a function's response, as its errors state it
    /// ("maximum allowed payload size (6291556 bytes)").
    /// </summary>
    public const int MaxPayloadBytes = 6_291_556;

    /// <summary>host:port, the value to give the function as <c>AWS_LAMBDA_RUNTIME_API</c>.</summary>
    public string Address { get; private set; } = "";

    /// <summary>The ARN sent as <c>Lambda-Runtime-Invoked-Function-Arn</c>.</summary>
    public string FunctionArn => _functionArn;

    /// <summary>Completes when the function posts to <c>init/error</c>.</summary>
    public Task<RuntimeInitError> InitError => _initError.Task;

    /// <summary>Starts serving on 127.0.0.1 (port 0: any free port) for the function of that name in us-east-1.</summary>
    public static async Task<LocalRuntimeApi> StartAsync(string functionName, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var app = builder.Build();
        var api = new LocalRuntimeApi(app, $"arn:aws:lambda:us-east-1:{ServerlessConfig.LocalAccountId}:function:{functionName}");
        app.MapGet($"{Prefix}/invocation/next", api.NextAsync);
        app.MapPost($"{Prefix}/invocation/{{requestId}}/response", context => api.CompleteAsync(context, InvocationOutcome.Response));
        app.MapPost($"{Prefix}/invocation/{{requestId}}/error", context => api.CompleteAsync(context, InvocationOutcome.Error));
        app.MapPost($"{Prefix}/init/error", api.InitErrorAsync);
        await app.StartAsync().ConfigureAwait(false);
        api.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Authority;
        return api;
    }

    /// <summary>
    /// Queues one event and waits for its answer. <paramref name="timeout"/> is the function's timeout: the deadline
    /// (<c>Lambda-Runtime-Deadline-Ms</c>) is counted from the moment <c>next</c> hands the event out, as Lambda counts
    /// it after init, and an event not answered by then ends as <see cref="InvocationOutcome.TimedOut"/>.
    /// <paramref name="cancellationToken"/> bounds the wait for the function to take the event (e.g. a process that died).
    /// </summary>
    public Task<InvocationResult> InvokeAsync(
        byte[] payload,
        TimeSpan timeout,
        string? traceId = null,
        string? clientContext = null,
        string? cognitoIdentity = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Length > MaxPayloadBytes)
        {
            // Lambda refuses it before any function sees it (RequestEntityTooLargeException, 413).
            throw new ArgumentException($"The event is {payload.Length} bytes; Lambda takes at most {MaxPayloadBytes}.", nameof(payload));
        }

        var invocation = new Invocation(Guid.NewGuid().ToString(), payload, timeout, traceId ?? NewTraceId(), clientContext, cognitoIdentity);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(invocation), this);

        // Cancelling only gives up on an event not yet handed out; once handed out, the deadline rules.
        var registration = cancellationToken.Register(() =>
        {
            if (invocation.TryClaim(Invocation.Abandoned))
            {
                invocation.Reply.TrySetCanceled(cancellationToken);
            }
        });
        invocation.Reply.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        return invocation.Reply.Task;
    }

    /// <summary>
    /// Time from <paramref name="startedAt"/> (a <see cref="Stopwatch.GetTimestamp"/> taken by the caller, e.g. just before
    /// spawning the process) to the function's first <c>next</c> call: its init duration.
    /// </summary>
    public async Task<TimeSpan> FirstNextAsync(long startedAt, CancellationToken cancellationToken = default) =>
        Stopwatch.GetElapsedTime(startedAt, await _firstNext.Task.WaitAsync(cancellationToken).ConfigureAwait(false));

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _app.DisposeAsync().ConfigureAwait(false);
        while (_queue.Reader.TryRead(out var left))
        {
            left.Reply.TrySetException(new ObjectDisposedException(nameof(LocalRuntimeApi)));
        }

        foreach (var (_, pending) in _handedOut)
        {
            pending.Dispose();
            pending.Reply.TrySetException(new ObjectDisposedException(nameof(LocalRuntimeApi)));
        }
    }

    private async Task NextAsync(HttpContext context)
    {
        _firstNext.TrySetResult(Stopwatch.GetTimestamp());
        Invocation invocation;
        do
        {
            try
            {
                invocation = await _queue.Reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                // The environment is going away: Lambda answers 500 and the runtime must exit.
                await ErrorAsync(context, StatusCodes.Status500InternalServerError, "ServiceException", "the Runtime API is shutting down").ConfigureAwait(false);
                return;
            }
        }
        while (!invocation.TryClaim(Stopwatch.GetTimestamp())); // else its caller gave up before the function asked

        var deadline = DateTimeOffset.UtcNow + invocation.Timeout;
        _handedOut[invocation.RequestId] = invocation;
        invocation.ArmDeadline(() => Finish(invocation.RequestId, InvocationOutcome.TimedOut, TimedOutBody(invocation.Timeout), "Sandbox.Timedout", "application/json"));

        var headers = context.Response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        headers["Lambda-Runtime-Invoked-Function-Arn"] = _functionArn;
        headers["Lambda-Runtime-Trace-Id"] = invocation.TraceId;
        if (invocation.ClientContext is not null)
        {
            headers["Lambda-Runtime-Client-Context"] = invocation.ClientContext;
        }

        if (invocation.CognitoIdentity is not null)
        {
            headers["Lambda-Runtime-Cognito-Identity"] = invocation.CognitoIdentity;
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = invocation.Payload.Length;
        await context.Response.Body.WriteAsync(invocation.Payload, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task CompleteAsync(HttpContext context, InvocationOutcome outcome)
    {
        var requestId = (string)context.Request.RouteValues["requestId"]!;
        var body = await ReadBodyAsync(context.Request).ConfigureAwait(false);
        var errorType = outcome == InvocationOutcome.Error ? ErrorTypeHeader(context.Request) : null;
        if (outcome == InvocationOutcome.Response && body.Length > MaxPayloadBytes)
        {
            // Lambda refuses the response and the caller gets an error in its place.
            var tooLarge = System.Text.Encoding.UTF8.GetBytes(
                $$$"""{"errorType":"Function.ResponseSizeTooLarge","errorMessage":"Response payload size exceeded maximum allowed payload size ({{{MaxPayloadBytes}}} bytes)."}""");
            if (Finish(requestId, InvocationOutcome.Error, tooLarge, "Function.ResponseSizeTooLarge", "application/json"))
            {
                await ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "RequestEntityTooLarge", $"Exceeded maximum allowed payload size ({MaxPayloadBytes} bytes).").ConfigureAwait(false);
                return;
            }
        }

        if (Finish(requestId, outcome, body, errorType, context.Request.ContentType))
        {
            await AcceptedAsync(context).ConfigureAwait(false);
        }
        else if (_finished.ContainsKey(requestId))
        {
            await ErrorAsync(context, StatusCodes.Status403Forbidden, "InvalidStateTransition", $"invocation {requestId} was already answered or timed out").ConfigureAwait(false);
        }
        else
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "InvalidRequestID", $"invalid request id {requestId}").ConfigureAwait(false);
        }
    }

    private async Task InitErrorAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context.Request).ConfigureAwait(false);
        if (_firstNext.Task.IsCompleted)
        {
            // Init ended with the first next: an init error after it is out of order.
            await ErrorAsync(context, StatusCodes.Status403Forbidden, "InvalidStateTransition", "init/error after the first next").ConfigureAwait(false);
            return;
        }

        _initError.TrySetResult(new RuntimeInitError(ErrorTypeHeader(context.Request), body, Stopwatch.GetTimestamp()));
        await AcceptedAsync(context).ConfigureAwait(false);
    }

    /// <summary>Settles a handed-out invocation once: by the function's answer or by its deadline, whichever comes first.</summary>
    private bool Finish(string requestId, InvocationOutcome outcome, byte[] body, string? errorType, string? contentType)
    {
        if (!_handedOut.TryRemove(requestId, out var invocation))
        {
            return false;
        }

        var completedAt = Stopwatch.GetTimestamp();
        _finished[requestId] = 0;
        invocation.Dispose(); // the deadline timer
        invocation.Reply.TrySetResult(new InvocationResult(requestId, outcome, body, errorType, contentType, invocation.QueuedAt, invocation.HandedOutAt, completedAt));
        return true;
    }

    private static string? ErrorTypeHeader(HttpRequest request) =>
        request.Headers.TryGetValue("Lambda-Runtime-Function-Error-Type", out var value) ? value.ToString() : null;

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static Task AcceptedAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""{"status":"OK"}""");
    }

    private static Task ErrorAsync(HttpContext context, int status, string errorType, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["errorMessage"] = message, ["errorType"] = errorType }));
    }

    private static byte[] TimedOutBody(TimeSpan timeout) => System.Text.Encoding.UTF8.GetBytes(
        $$"""{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out after {{timeout.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)}} seconds"}""");

    /// <summary>An X-Ray trace header as Lambda sends one on every invocation: Root=1-{epoch hex}-{96 random bits};Parent;Sampled.</summary>
    private static string NewTraceId() =>
        $"Root=1-{DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))};Parent={Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))};Sampled=0";

    private sealed class Invocation(string requestId, byte[] payload, TimeSpan timeout, string traceId, string? clientContext, string? cognitoIdentity) : IDisposable
    {
        private Timer? _deadline;

        /// <summary>Marks an event its caller gave up on before <c>next</c> took it.</summary>
        public const long Abandoned = -1;
        private long _handedOutAt;

        /// <summary>When <c>next</c> handed the event out (a Stopwatch timestamp), or <see cref="Abandoned"/>.</summary>
        public long HandedOutAt => Interlocked.Read(ref _handedOutAt);

        public string RequestId { get; } = requestId;
        public byte[] Payload { get; } = payload;
        public TimeSpan Timeout { get; } = timeout;
        public string TraceId { get; } = traceId;
        public string? ClientContext { get; } = clientContext;
        public string? CognitoIdentity { get; } = cognitoIdentity;
        public long QueuedAt { get; } = Stopwatch.GetTimestamp();
        public TaskCompletionSource<InvocationResult> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>
        /// Settles the race between <c>next</c> taking the event and its caller giving up: whichever sets the stamp
        /// first wins, so an event is never handed out to a caller that is no longer waiting.
        /// </summary>
        public bool TryClaim(long stamp) => Interlocked.CompareExchange(ref _handedOutAt, stamp, 0) == 0;

        public void ArmDeadline(Action expire) => _deadline = new Timer(_ => expire(), null, Timeout, System.Threading.Timeout.InfiniteTimeSpan);

        public void Dispose() => _deadline?.Dispose();
    }
}
