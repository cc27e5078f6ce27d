using PayMyInvoice.Contracts;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Idempotency;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.Aws;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Infrastructure.Idempotency;
using PayMyInvoice.Infrastructure.Sns;
using PayMyInvoice.Infrastructure.Stripe;
using PayMyInvoice.Lambda;
using PayMyInvoice.Workers.Billing;
using PayMyInvoice.Workers.Invoices;

namespace PayMyInvoice.Workers;

/// <summary>The stream, queue and schedule functions this executable serves, by their serverless.yml names.</summary>
public static class WorkerFunctions
{
    public const string InvoiceEventsTopicVariable = "INVOICE_EVENTS_TOPIC_ARN";
    public const string IdempotencyTableVariable = "IDEMPOTENCY_TABLE";

    public static FunctionTable Create(Func<string, string?> settings)
    {
        var aws = new AwsSettings(settings);
        return Create(new Dependencies(
            () => new SnsInvoiceEventPublisher(SnsClient.FromSettings(aws), aws.Required(InvoiceEventsTopicVariable)),
            () => new DynamoDbInvoiceStore(DynamoDbClients.FromSettings(aws), aws.Required("INVOICES_TABLE")),
            () => new DynamoDbIdempotencyStore(DynamoDbClients.FromSettings(aws), aws.Required(IdempotencyTableVariable), TimeProvider.System),
            () => StripePaymentGateway.FromSettings(settings)));
    }

    /// <summary>The same table over any adapters (tests pass their own).</summary>
    public static FunctionTable Create(Dependencies dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        return new FunctionTable()
            .Add("invoiceStream", () => LambdaFunction.Create(
                ContractsJsonContext.Wire.DynamoDBEvent,
                ContractsJsonContext.Wire.StreamsEventResponse,
                new InvoiceStreamFunction(dependencies.Publisher()).HandleAsync))
            .Add("billingWorker", () =>
            {
                var store = dependencies.Invoices();
                var billing = new BillingService(store, dependencies.Gateway(), dependencies.Idempotency(), new PaymentOutcomes(store, TimeProvider.System));
                return LambdaFunction.Create(ContractsJsonContext.Wire.SQSEvent, ContractsJsonContext.Wire.SQSBatchResponse, new BillingWorkerFunction(billing).HandleAsync);
            });
    }

    /// <summary>What the workers are built from; each is created only when a chosen function needs it.</summary>
    public sealed record Dependencies(
        Func<IInvoiceEventPublisher> Publisher,
        Func<IInvoiceStore> Invoices,
        Func<IIdempotencyStore> Idempotency,
        Func<IPaymentGateway> Gateway);
}
