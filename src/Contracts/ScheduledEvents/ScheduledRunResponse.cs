namespace PayMyInvoice.Contracts.ScheduledEvents;

/// <summary>What a scheduled run reports: how many items it acted on.</summary>
public sealed class ScheduledRunResponse
{
    public required int Processed { get; init; }
}
