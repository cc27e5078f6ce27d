using System.Text;
using System.Text.Json;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.ScheduledEvents;
using PayMyInvoice.Lambda;
using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Local.EventSources;

/// <summary>
/// An EventBridge rule from a function's <c>schedule</c> event: at each time the expression names, the function gets
/// a "Scheduled Event" (or the rule's constant <c>input</c>), as in AWS.
/// </summary>
public sealed class ScheduleEventSource(LocalDeployment deployment, string functionName, ScheduleSource source, TimeProvider time)
{
    private readonly ScheduleExpression _expression = ScheduleExpression.Parse(source.Expression);
    private readonly DateTimeOffset _created = time.GetUtcNow();

    public string FunctionName => functionName;

    public string Expression => source.Expression;

    /// <summary>How many times it has fired.</summary>
    public int Fired { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var next = _expression.Next(now, _created);
            await Task.Delay(next - now, time, cancellationToken).ConfigureAwait(false);
            await FireAsync(next, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Invokes the function once as the rule would at <paramref name="at"/>.</summary>
    public async Task<InvocationOutcome> FireAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        var ruleArn = $"arn:aws:events:{deployment.Config.Region}:{ServerlessConfig.LocalAccountId}:rule/{deployment.Config.Service}-{deployment.Config.Stage}-{functionName}";
        var payload = source.Input is { } input
            ? Encoding.UTF8.GetBytes(input)
            : JsonSerializer.SerializeToUtf8Bytes(
                new ScheduledEvent
                {
                    Version = "0",
                    Id = Guid.NewGuid().ToString(),
                    DetailType = "Scheduled Event",
                    Source = "aws.events",
                    Account = ServerlessConfig.LocalAccountId,
                    Time = at.UtcDateTime,
                    Region = deployment.Config.Region,
                    Resources = [ruleArn],
                },
                ContractsJsonContext.Wire.ScheduledEvent);
        var outcome = await deployment.InvokeAsync(functionName, payload, cancellationToken).ConfigureAwait(false);
        Fired++;
        return outcome;
    }
}
