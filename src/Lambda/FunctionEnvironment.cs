namespace PayMyInvoice.Lambda;

/// <summary>The execution environment's settings, read once at init from the variables Lambda sets.</summary>
public sealed record FunctionEnvironment
{
    public string FunctionName { get; init; } = "local";
    public string FunctionVersion { get; init; } = "$LATEST";
    public int MemoryLimitInMB { get; init; } = 128;
    public string LogGroupName { get; init; } = "";
    public string LogStreamName { get; init; } = "";
    public string ServiceName { get; init; } = "paymyinvoice";
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;

    /// <summary>
    /// Powertools' <c>POWERTOOLS_LOGGER_LOG_EVENT</c>: log each invocation's event (masked like every line) before the
    /// function runs. Off unless set to <c>true</c>; for debugging a function, not for production traffic.
    /// </summary>
    public bool LogEvent { get; init; }

    /// <summary>The warm-up payload's <c>source</c> (serverless-plugin-warmup's default unless configured).</summary>
    public string WarmUpSource { get; init; } = "serverless-plugin-warmup";

    public static FunctionEnvironment FromVariables(Func<string, string?> get) => new()
    {
        FunctionName = get("AWS_LAMBDA_FUNCTION_NAME") ?? "local",
        FunctionVersion = get("AWS_LAMBDA_FUNCTION_VERSION") ?? "$LATEST",
        MemoryLimitInMB = int.TryParse(get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), out var memory) ? memory : 128,
        LogGroupName = get("AWS_LAMBDA_LOG_GROUP_NAME") ?? "",
        LogStreamName = get("AWS_LAMBDA_LOG_STREAM_NAME") ?? "",
        ServiceName = get("POWERTOOLS_SERVICE_NAME") ?? "paymyinvoice",
        MinimumLogLevel = ParseLevel(get("POWERTOOLS_LOG_LEVEL") ?? get("AWS_LAMBDA_LOG_LEVEL")),
        WarmUpSource = get("WARMUP_SOURCE") ?? "serverless-plugin-warmup",
        LogEvent = string.Equals(get("POWERTOOLS_LOGGER_LOG_EVENT"), "true", StringComparison.OrdinalIgnoreCase),
    };

    public static FunctionEnvironment FromProcess() => FromVariables(Environment.GetEnvironmentVariable);

    private static LogLevel ParseLevel(string? value) => value?.ToUpperInvariant() switch
    {
        "TRACE" => LogLevel.Trace,
        "DEBUG" => LogLevel.Debug,
        "WARN" or "WARNING" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        "CRITICAL" or "FATAL" => LogLevel.Critical,
        _ => LogLevel.Information,
    };
}
