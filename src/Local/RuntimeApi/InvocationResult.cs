using System.Diagnostics;
using System.Text;

namespace PayMyInvoice.Local.RuntimeApi;

/// <summary>How an invocation ended, as the Runtime API saw it.</summary>
public enum InvocationOutcome
{
    /// <summary>The function posted to <c>/response</c>.</summary>
    Response,

    /// <summary>The function posted to <c>/error</c>.</summary>
    Error,

    /// <summary>Nothing came back before <c>Lambda-Runtime-Deadline-Ms</c>; Lambda would now reset the environment.</summary>
    TimedOut,
}

/// <summary>
/// What came back for one event, with <see cref="Stopwatch.GetTimestamp"/> values taken inside the Runtime API (queued,
/// handed out by <c>next</c>, response or error posted), so latency is measured where Lambda measures it, free of the
/// caller's scheduling.
/// </summary>
public sealed record InvocationResult(
    string RequestId,
    InvocationOutcome Outcome,
    byte[] Body,
    string? ErrorType,
    string? ContentType,
    long QueuedAt,
    long HandedOutAt,
    long CompletedAt)
{
    public bool IsError => Outcome != InvocationOutcome.Response;

    /// <summary>The body as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>From <c>next</c> handing the event out to the answer: Lambda's "Duration".</summary>
    public TimeSpan Duration => Stopwatch.GetElapsedTime(HandedOutAt, CompletedAt);

    /// <summary>From queueing to the answer, including the wait for the function to ask for it.</summary>
    public TimeSpan Total => Stopwatch.GetElapsedTime(QueuedAt, CompletedAt);
}

/// <summary>What the function posted to <c>/runtime/init/error</c>.</summary>
public sealed record RuntimeInitError(string? ErrorType, byte[] Body, long PostedAt)
{
    public string Text => Encoding.UTF8.GetString(Body);
}
