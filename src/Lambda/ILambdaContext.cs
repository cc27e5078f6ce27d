namespace PayMyInvoice.Lambda;

/// <summary>What a function knows about its invocation; the members of Amazon.Lambda.Core's ILambdaContext that we use.</summary>
public interface ILambdaContext
{
    string AwsRequestId { get; }
    string FunctionName { get; }
    string FunctionVersion { get; }
    string InvokedFunctionArn { get; }
    int MemoryLimitInMB { get; }

    /// <summary>When Lambda stops this invocation (<c>Lambda-Runtime-Deadline-Ms</c>); idempotency claims expire then.</summary>
    DateTimeOffset Deadline { get; }

    /// <summary>Time left until <see cref="Deadline"/>, never negative.</summary>
    TimeSpan RemainingTime { get; }
    string LogGroupName { get; }
    string LogStreamName { get; }
    string? TraceId { get; }

    /// <summary>The raw client context JSON (<c>Lambda-Runtime-Client-Context</c>), if the caller sent one.</summary>
    string? ClientContext { get; }

    ILambdaLogger Logger { get; }
}
