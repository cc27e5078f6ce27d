using PayMyInvoice.Contracts;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.Aws;
using PayMyInvoice.Infrastructure.Sns;
using PayMyInvoice.Lambda;
using PayMyInvoice.Workers.Invoices;

namespace PayMyInvoice.Workers;

/// <summary>The stream, queue and schedule functions this executable serves, by their serverless.yml names.</summary>
public static class WorkerFunctions
{
    public const string InvoiceEventsTopicVariable = "INVOICE_EVENTS_TOPIC_ARN";

    public static FunctionTable Create(Func<string, string?> settings)
    {
        var aws = new AwsSettings(settings);
        return Create(() => new SnsInvoiceEventPublisher(SnsClient.FromSettings(aws), aws.Required(InvoiceEventsTopicVariable)));
    }

    /// <summary>The same table over any publisher (tests pass their own).</summary>
    public static FunctionTable Create(Func<IInvoiceEventPublisher> publisher)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        return new FunctionTable()
            .Add("invoiceStream", () => LambdaFunction.Create(
                ContractsJsonContext.Wire.DynamoDBEvent,
                ContractsJsonContext.Wire.StreamsEventResponse,
                new InvoiceStreamFunction(publisher()).HandleAsync));
    }
}
