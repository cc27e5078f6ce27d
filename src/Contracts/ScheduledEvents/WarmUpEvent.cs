namespace PayMyInvoice.Contracts.ScheduledEvents;

/// <summary>The payload serverless-plugin-warmup sends (also as the client context's <c>custom</c>).</summary>
public sealed class WarmUpEvent
{
    public const string DefaultSource = "serverless-plugin-warmup";

    public string? Source { get; set; }
}
