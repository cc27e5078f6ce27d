using PayMyInvoice.Contracts;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.PayLinks;
using PayMyInvoice.Http;
using PayMyInvoice.Infrastructure.Aws;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Infrastructure.Idempotency;
using PayMyInvoice.Infrastructure.Stripe;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Billing;

/// <summary>
/// The functions of the managed-runtime executable, by their serverless.yml names: those that call Stripe.net, which
/// does not run under Native AOT. Each builds only what it uses, once per execution environment.
/// </summary>
public static class BillingFunctions
{
    public const string IdempotencyTableVariable = "IDEMPOTENCY_TABLE";

    public static FunctionTable Create(Func<string, string?> settings)
    {
        var aws = new AwsSettings(settings);
        return new FunctionTable()
            .Add("billingWorker", () =>
            {
                var dynamo = DynamoDbClients.FromSettings(aws);
                var store = new DynamoDbInvoiceStore(dynamo, aws.Required("INVOICES_TABLE"));
                var idempotency = new DynamoDbIdempotencyStore(dynamo, aws.Required(IdempotencyTableVariable), TimeProvider.System);
                var billing = new BillingService(store, StripePaymentGateway.FromSettings(settings), idempotency, new PaymentOutcomes(store, TimeProvider.System));
                return LambdaFunction.Create(ContractsJsonContext.Wire.SQSEvent, ContractsJsonContext.Wire.SQSBatchResponse, new BillingWorkerFunction(billing).HandleAsync);
            })
            .Add("payCheckout", () =>
            {
                var store = new DynamoDbInvoiceStore(DynamoDbClients.FromSettings(aws), aws.Required("INVOICES_TABLE"));
                var checkout = new CheckoutService(
                    store, StripeCheckoutGateway.FromSettings(settings), StripePaymentGateway.FromSettings(settings), new PaymentOutcomes(store, TimeProvider.System), TimeProvider.System);
                return HttpFunction.CreateAnonymous(new PayCheckoutFunction(checkout, PayLinkKeys.FromSettings(settings)).PostAsync);
            })
            .Add("reconcilePayments", () =>
            {
                var store = new DynamoDbInvoiceStore(DynamoDbClients.FromSettings(aws), aws.Required("INVOICES_TABLE"));
                var reconciler = new PaymentReconciler(
                    store, StripePaymentLookup.FromSettings(settings), new PaymentOutcomes(store, TimeProvider.System), ReconcileSettings.FromSettings(settings), TimeProvider.System);
                return LambdaFunction.Create(ContractsJsonContext.Wire.ScheduledEvent, ContractsJsonContext.Wire.ReconcileRunResponse, new ReconcilePaymentsFunction(reconciler).HandleAsync);
            });
    }
}
