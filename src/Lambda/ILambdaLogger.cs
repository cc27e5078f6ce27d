namespace PayMyInvoice.Lambda;

public enum LogLevel
{
    Trace,
    Debug,
    Information,
    Warning,
    Error,
    Critical,
}

/// <summary>Structured logger; one JSON object per line, as CloudWatch and Powertools expect.</summary>
public interface ILambdaLogger
{
    bool IsEnabled(LogLevel level);

    /// <param name="fields">Extra top-level keys for the line (e.g. <c>payment_id</c>), so that log queries and metric
    /// filters match a field instead of parsing the message. They never replace the standard keys.</param>
    void Log(LogLevel level, string message, Exception? exception = null, IReadOnlyDictionary<string, string>? fields = null);
}

public static class LambdaLoggerExtensions
{
    public static void LogDebug(this ILambdaLogger logger, string message) => logger.Log(LogLevel.Debug, message);

    public static void LogInformation(this ILambdaLogger logger, string message) => logger.Log(LogLevel.Information, message);

    public static void LogWarning(this ILambdaLogger logger, string message, Exception? exception = null) =>
        logger.Log(LogLevel.Warning, message, exception);

    public static void LogError(this ILambdaLogger logger, string message, Exception? exception = null) =>
        logger.Log(LogLevel.Error, message, exception);

    public static void LogError(this ILambdaLogger logger, string message, IReadOnlyDictionary<string, string> fields) =>
        logger.Log(LogLevel.Error, message, null, fields);
}
