namespace PayMyInvoice.Lambda;

/// <summary>
/// What Amazon.Lambda.RuntimeSupport would do, small: build the chosen function once at init, then loop on the
/// Runtime API, answering warm-up pings without touching business code. The function is chosen by
/// <c>PMI_FUNCTION</c> because the managed runtime's <c>_HANDLER</c> names the assembly, not the function.
/// </summary>
public sealed class LambdaHost(FunctionEnvironment environment, JsonLogger logger, TimeProvider time)
{
    public const string FunctionVariable = "PMI_FUNCTION";

    /// <summary>The executable's entry point: exit code 0 when cancelled, 1 when init or the Runtime API fails.</summary>
    public static async Task<int> RunAsync(FunctionTable table, CancellationToken cancellationToken = default)
    {
        var runtimeApi = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API");
        if (string.IsNullOrEmpty(runtimeApi))
        {
            await Console.Error.WriteLineAsync(
                "AWS_LAMBDA_RUNTIME_API is not set: this executable runs inside Lambda. Locally, use: dotnet run --project src/Local -- invoke <function> --event <file>").ConfigureAwait(false);
            return 2;
        }

        var environment = FunctionEnvironment.FromProcess();
        CapGcHeap(environment.MemoryLimitInMB);
        using var runtime = new RuntimeApiClient(runtimeApi);
        var host = new LambdaHost(environment, new JsonLogger(environment, Console.Out, TimeProvider.System), TimeProvider.System);
        var name = Environment.GetEnvironmentVariable(FunctionVariable);
        return await host.RunAsync(
            runtime,
            () => table.Create(name ?? throw new InvalidOperationException($"{FunctionVariable} is not set; serverless.yml sets it for every function.")),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Caps the GC heap at the function's memory size, as Amazon.Lambda.RuntimeSupport does: the GC otherwise sizes
    /// itself from the host's memory, which Lambda does not give the function, and is killed rather than collecting.
    /// </summary>
    public static void CapGcHeap(int memoryLimitInMB)
    {
        if (memoryLimitInMB <= 0)
        {
            return;
        }

        AppContext.SetData("GCHeapHardLimit", (ulong)memoryLimitInMB * 1024 * 1024);
        GC.RefreshMemoryLimit();
    }

    public async Task<int> RunAsync(RuntimeApiClient runtime, Func<ILambdaFunction> init, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(init);
        ILambdaFunction function;
        try
        {
            function = init();
        }
        catch (Exception error)
        {
            logger.LogError("init failed", error);
            await runtime.ReportInitErrorAsync(error, cancellationToken).ConfigureAwait(false);
            return 1;
        }

        var coldStart = true;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var request = await runtime.NextAsync(cancellationToken).ConfigureAwait(false);
                var outcome = await HandleAsync(function, request, coldStart, cancellationToken).ConfigureAwait(false);
                coldStart = false;
                if (outcome.Error is { } error)
                {
                    await runtime.ReportInvocationErrorAsync(request.RequestId, error, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await runtime.RespondAsync(request.RequestId, outcome.Response!, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception error) when (error is RuntimeApiException or HttpRequestException)
        {
            logger.LogError("the Runtime API failed; leaving the loop", error);
            return 1;
        }

        return 0;
    }

    /// <summary>
    /// How long before the deadline the invocation's token fires: time to report unfinished batch items, give back
    /// claims and send the response before Lambda stops the process mid-write.
    /// </summary>
    public static readonly TimeSpan CancelBeforeDeadline = TimeSpan.FromSeconds(1);

    /// <summary>
    /// One invocation, as the loop and the local <c>invoke</c> command both run it. The function gets a token that
    /// fires <see cref="CancelBeforeDeadline"/> before the request's deadline (or when <paramref name="cancellationToken"/>,
    /// the host's own, does).
    /// </summary>
    public async Task<InvocationOutcome> HandleAsync(ILambdaFunction function, InvocationRequest request, bool coldStart, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(request);
        if (request.TraceId is { } trace)
        {
            Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", trace);
        }

        // The scope flows with this invocation only (an AsyncLocal, restored when this method returns), and the
        // context's logger is bound to it: concurrent invocations of one environment each log their own request id.
        var scope = new InvocationScope(request.RequestId, request.FunctionArn, request.TraceId, coldStart);
        logger.Scope = scope;
        var scoped = logger.For(scope);
        var untilCancel = request.Deadline - CancelBeforeDeadline - time.GetUtcNow();
        using var nearDeadline = new CancellationTokenSource(untilCancel > TimeSpan.Zero ? untilCancel : TimeSpan.Zero, time);
        using var invocation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, nearDeadline.Token);
        try
        {
            if (WarmUp.IsWarmUp(request.Payload, request.ClientContext, environment.WarmUpSource))
            {
                scoped.LogDebug("warm-up ping answered");
                return new InvocationOutcome(WarmUp.Response, null);
            }

            if (environment.LogEvent)
            {
                scoped.LogInformation(System.Text.Encoding.UTF8.GetString(request.Payload));
            }

            var context = new LambdaContext(environment, request, scoped, time);
            return new InvocationOutcome(await function.InvokeAsync(request.Payload, context, invocation.Token).ConfigureAwait(false), null);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            scoped.LogError(
                nearDeadline.IsCancellationRequested
                    ? $"invocation failed: it was still running {CancelBeforeDeadline.TotalMilliseconds:0} ms before its deadline"
                    : "invocation failed",
                error);
            return new InvocationOutcome(null, error);
        }
        finally
        {
            logger.Scope = null;
        }
    }
}

/// <summary>Either the response bytes or the error the function raised.</summary>
public sealed record InvocationOutcome(byte[]? Response, Exception? Error);
