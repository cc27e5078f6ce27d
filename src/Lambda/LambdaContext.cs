namespace PayMyInvoice.Lambda;

internal sealed class LambdaContext(
    FunctionEnvironment environment,
    InvocationRequest request,
    ILambdaLogger logger,
    TimeProvider time) : ILambdaContext
{
    public string AwsRequestId => request.RequestId;
    public string FunctionName => environment.FunctionName;
    public string FunctionVersion => environment.FunctionVersion;
    public string InvokedFunctionArn => request.FunctionArn;
    public int MemoryLimitInMB => environment.MemoryLimitInMB;

    public DateTimeOffset Deadline => request.Deadline;

    public TimeSpan RemainingTime
    {
        get
        {
            var remaining = Deadline - time.GetUtcNow();
            return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
        }
    }

    public string LogGroupName => environment.LogGroupName;
    public string LogStreamName => environment.LogStreamName;
    public string? TraceId => request.TraceId;
    public string? ClientContext => request.ClientContext;
    public ILambdaLogger Logger => logger;
}
