using System.Text.Json;

namespace PayMyInvoice.Lambda;

/// <summary>
/// Writes one JSON object per line with the field names Powertools for AWS Lambda uses, so the same
/// CloudWatch Logs Insights queries work: level, message, timestamp, service, cold_start,
/// function_name, function_memory_size, function_arn, function_request_id, xray_trace_id, exception.
/// </summary>
/// <remarks>
/// <para>
/// The invocation a line belongs to flows with the invocation, not with the logger: one logger serves every
/// concurrent invocation of an execution environment (the local stack runs them side by side), so the scope is an
/// <see cref="AsyncLocal{T}"/> set by the host around each invocation, and the invocation's own
/// <see cref="ILambdaContext.Logger"/> is bound to its scope explicitly (<see cref="For"/>), so a line written through
/// it carries its request id even where the execution context does not flow.
/// </para>
/// <para>
/// Every message, extra field value and exception text goes through <see cref="LogMasking.Mask"/> before it is
/// written; the standard keys (names, ARNs, request ids) are ours and are not.
/// </para>
/// </remarks>
public sealed class JsonLogger(FunctionEnvironment environment, TextWriter output, TimeProvider time) : ILambdaLogger
{
    /// <summary>
    /// One gate for every logger of the process: the local stack gives each function its own logger over one shared
    /// writer, and a line must never interleave with another's.
    /// </summary>
    private static readonly Lock Gate = new();

    private readonly AsyncLocal<InvocationScope?> _scope = new();

    /// <summary>
    /// The invocation the lines logged from this asynchronous flow belong to; set by the host around each invocation.
    /// Each concurrent invocation sees its own.
    /// </summary>
    public InvocationScope? Scope
    {
        get => _scope.Value;
        set => _scope.Value = value;
    }

    public bool IsEnabled(LogLevel level) => level >= environment.MinimumLogLevel;

    /// <summary>The keys every line has; extra fields with these names are dropped rather than written twice.</summary>
    private static readonly HashSet<string> StandardKeys =
    [
        "level", "message", "timestamp", "service", "function_name", "function_memory_size", "cold_start", "function_arn",
        "function_request_id", "xray_trace_id", "exception_name", "exception",
    ];

    private static readonly Dictionary<string, string> EmptyFields = [];

    public void Log(LogLevel level, string message, Exception? exception = null, IReadOnlyDictionary<string, string>? fields = null) =>
        Write(_scope.Value, level, message, exception, fields);

    /// <summary>A logger whose lines always carry <paramref name="scope"/>: the one an invocation's context hands out.</summary>
    public ILambdaLogger For(InvocationScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return new ScopedLogger(this, scope);
    }

    private void Write(InvocationScope? scope, LogLevel level, string message, Exception? exception, IReadOnlyDictionary<string, string>? fields)
    {
        if (!IsEnabled(level))
        {
            return;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("level", level.ToString());
            json.WriteString("message", LogMasking.Mask(message));
            json.WriteString("timestamp", time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("service", environment.ServiceName);
            json.WriteString("function_name", environment.FunctionName);
            json.WriteNumber("function_memory_size", environment.MemoryLimitInMB);
            if (scope is not null)
            {
                json.WriteBoolean("cold_start", scope.ColdStart);
                json.WriteString("function_arn", scope.FunctionArn);
                json.WriteString("function_request_id", scope.RequestId);
                if (scope.TraceId is { } trace)
                {
                    json.WriteString("xray_trace_id", trace);
                }
            }

            if (exception is not null)
            {
                json.WriteString("exception_name", exception.GetType().FullName);
                json.WriteString("exception", LogMasking.Mask(exception.ToString()));
            }

            foreach (var (key, value) in fields ?? EmptyFields)
            {
                if (!StandardKeys.Contains(key))
                {
                    json.WriteString(key, LogMasking.Mask(value));
                }
            }

            json.WriteEndObject();
        }

        var line = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (Gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private sealed class ScopedLogger(JsonLogger owner, InvocationScope scope) : ILambdaLogger
    {
        public bool IsEnabled(LogLevel level) => owner.IsEnabled(level);

        public void Log(LogLevel level, string message, Exception? exception = null, IReadOnlyDictionary<string, string>? fields = null) =>
            owner.Write(scope, level, message, exception, fields);
    }
}

/// <summary>The per-invocation fields of a log line.</summary>
public sealed record InvocationScope(string RequestId, string FunctionArn, string? TraceId, bool ColdStart);
