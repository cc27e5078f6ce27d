using System.Text.Json;

namespace PayMyInvoice.Lambda;

/// <summary>
/// Writes one JSON object per line with the field names Powertools for AWS Lambda uses, so the same
/// CloudWatch Logs Insights queries work: level, message, timestamp, service, cold_start,
/// function_name, function_memory_size, function_arn, function_request_id, xray_trace_id, exception.
/// </summary>
public sealed class JsonLogger(FunctionEnvironment environment, TextWriter output, TimeProvider time) : ILambdaLogger
{
    private readonly Lock _gate = new();

    /// <summary>The invocation the next lines belong to; set by the host around each invocation.</summary>
    public InvocationScope? Scope { get; set; }

    public bool IsEnabled(LogLevel level) => level >= environment.MinimumLogLevel;

    /// <summary>The keys every line has; extra fields with these names are dropped rather than written twice.</summary>
    private static readonly HashSet<string> StandardKeys =
    [
        "level", "message", "timestamp", "service", "function_name", "function_memory_size", "cold_start", "function_arn",
        "function_request_id", "xray_trace_id", "exception_name", "exception",
    ];

    private static readonly Dictionary<string, string> EmptyFields = [];

    public void Log(LogLevel level, string message, Exception? exception = null, IReadOnlyDictionary<string, string>? fields = null)
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
            json.WriteString("message", message);
            json.WriteString("timestamp", time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("service", environment.ServiceName);
            json.WriteString("function_name", environment.FunctionName);
            json.WriteNumber("function_memory_size", environment.MemoryLimitInMB);
            if (Scope is { } scope)
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
                json.WriteString("exception", exception.ToString());
            }

            foreach (var (key, value) in fields ?? EmptyFields)
            {
                if (!StandardKeys.Contains(key))
                {
                    json.WriteString(key, value);
                }
            }

            json.WriteEndObject();
        }

        var line = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}

/// <summary>The per-invocation fields of a log line.</summary>
public sealed record InvocationScope(string RequestId, string FunctionArn, string? TraceId, bool ColdStart);
