using PayMyInvoice.Contracts;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.Notifications;
using PayMyInvoice.Core.PayLinks;
using PayMyInvoice.Http;
using PayMyInvoice.Infrastructure.Aws;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Infrastructure.Idempotency;
using PayMyInvoice.Infrastructure.Mail;
using PayMyInvoice.Infrastructure.Sns;
using PayMyInvoice.Lambda;
using PayMyInvoice.Workers.Invoices;
using PayMyInvoice.Workers.Notifications;
using PayMyInvoice.Workers.Payments;

namespace PayMyInvoice.Workers;

/// <summary>
/// The functions of the workers' Native AOT executable: the table's stream, the queue workers that do not call
/// Stripe, the overdue run and Stripe's webhook intake, by their serverless.yml names. Each builds only what it uses,
/// once per execution environment. (billingWorker calls Stripe.net, so it lives in the managed Billing executable.)
/// </summary>
public static class WorkerFunctions
{
    public const string InvoiceEventsTopicVariable = "INVOICE_EVENTS_TOPIC_ARN";
    public const string PaymentEventsTopicVariable = "PAYMENT_EVENTS_TOPIC_ARN";
    public const string IdempotencyTableVariable = "IDEMPOTENCY_TABLE";
    public const string WebhookSecretVariable = "STRIPE_WEBHOOK_SECRET";
    public const string ReminderDaysVariable = "OVERDUE_REMINDER_DAYS";

    public static FunctionTable Create(Func<string, string?> settings)
    {
        var aws = new AwsSettings(settings);
        // One DynamoDB client per execution environment, shared by both stores, built only if a function uses it.
        var dynamo = new Lazy<Amazon.DynamoDBv2.AmazonDynamoDBClient>(() => DynamoDbClients.FromSettings(aws));
        DynamoDbInvoiceStore Invoices() => new(dynamo.Value, aws.Required("INVOICES_TABLE"));
        DynamoDbIdempotencyStore Idempotency() => new(dynamo.Value, aws.Required(IdempotencyTableVariable), TimeProvider.System);

        return new FunctionTable()
            .Add("invoiceStream", () => LambdaFunction.Create(
                ContractsJsonContext.Wire.DynamoDBEvent,
                ContractsJsonContext.Wire.StreamsEventResponse,
                new InvoiceStreamFunction(new SnsInvoiceEventPublisher(SnsClient.FromSettings(aws), aws.Required(InvoiceEventsTopicVariable))).HandleAsync))
            .Add("stripeWebhook", () => HttpFunction.CreateAnonymous(new StripeWebhookFunction(
                aws.Required(WebhookSecretVariable), SnsClient.FromSettings(aws), aws.Required(PaymentEventsTopicVariable), TimeProvider.System).HandleAsync))
            .Add("notifications", () =>
            {
                var mailer = SmtpMailer.FromSettings(settings);
                var emails = new InvoiceEmails(PayLinkKeys.FromSettings(settings), mailer.Domain);
                return LambdaFunction.Create(
                    ContractsJsonContext.Wire.SQSEvent,
                    ContractsJsonContext.Wire.SQSBatchResponse,
                    new NotificationsFunction(emails, new NotificationService(mailer, Idempotency())).HandleAsync);
            })
            .Add("overdueInvoices", () => LambdaFunction.Create(
                ContractsJsonContext.Wire.ScheduledEvent,
                ContractsJsonContext.Wire.ScheduledRunResponse,
                new OverdueInvoicesFunction(new OverdueService(Invoices(), OverdueService.ParseReminderDays(settings(ReminderDaysVariable)), TimeProvider.System)).HandleAsync))
            .Add("paymentEvents", () =>
            {
                var payments = new PaymentEventService(Idempotency(), new PaymentOutcomes(Invoices(), TimeProvider.System));
                return LambdaFunction.Create(ContractsJsonContext.Wire.SQSEvent, ContractsJsonContext.Wire.SQSBatchResponse, new PaymentEventsFunction(payments).HandleAsync);
            });
    }
}
