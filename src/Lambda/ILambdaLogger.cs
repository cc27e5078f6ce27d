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

    void Log(LogLevel level, string message, Exception? exception = null);
}

public static class LambdaLoggerExtensions
{
    public static void LogDebug(this ILambdaLogger logger, string message) => logger.Log(LogLevel.Debug, message);

    public static void LogInformation(this ILambdaLogger logger, string message) => logger.Log(LogLevel.Information, message);

    public static void LogWarning(this ILambdaLogger logger, string message, Exception? exception = null) =>
        logger.Log(LogLevel.Warning, message, exception);

    public static void LogError(this ILambdaLogger logger, string message, Exception? exception = null) =>
        logger.Log(LogLevel.Error, message, exception);
}
