using PayMyInvoice.Http;
using PayMyInvoice.Api.Invoices;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.Aws;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Api;

/// <summary>
/// The HTTP functions this executable serves, by their serverless.yml names. The object graph is built once per
/// execution environment, at init, and only for the function chosen. Settings come through a lookup (the process
/// environment in Lambda; serverless.yml's resolved environment locally), never from global state.
/// </summary>
public static class ApiFunctions
{
    public const string TableVariable = "INVOICES_TABLE";
    public const string CorsOriginVariable = "CORS_ALLOWED_ORIGIN";

    /// <summary>Where requests made with an Idempotency-Key are remembered (createInvoice, payInvoice, billing).</summary>
    public const string IdempotencyTableVariable = "IDEMPOTENCY_TABLE";

    public static FunctionTable Create(Func<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Create(
            () =>
            {
                var aws = new AwsSettings(settings);
                return new DynamoDbInvoiceStore(DynamoDbClients.FromSettings(aws), aws.Required(TableVariable), settings(IdempotencyTableVariable));
            },
            settings(CorsOriginVariable) ?? "*");
    }

    /// <summary>The same table over any invoice store (tests pass their own).</summary>
    public static FunctionTable Create(Func<IInvoiceStore> store, string allowedOrigin = "*")
    {
        ArgumentNullException.ThrowIfNull(store);
        ILambdaFunction Invoices(Func<InvoiceFunctions, Func<HttpCall, CancellationToken, Task<APIGatewayProxyResponse>>> pick)
        {
            var invoices = store();
            return HttpFunction.Create(pick(new InvoiceFunctions(new InvoiceService(invoices, TimeProvider.System), new IdempotentRequests(invoices, TimeProvider.System))), allowedOrigin);
        }

        ILambdaFunction Payments(Func<PaymentFunctions, Func<HttpCall, CancellationToken, Task<APIGatewayProxyResponse>>> pick)
        {
            var invoices = store();
            return HttpFunction.Create(pick(new PaymentFunctions(new PaymentService(invoices, TimeProvider.System), new IdempotentRequests(invoices, TimeProvider.System))), allowedOrigin);
        }

        ILambdaFunction Fees(Func<FeeFunctions, Func<HttpCall, CancellationToken, Task<APIGatewayProxyResponse>>> pick)
        {
            var invoices = store();
            return HttpFunction.Create(pick(new FeeFunctions(new FeeService(invoices, TimeProvider.System), new IdempotentRequests(invoices, TimeProvider.System))), allowedOrigin);
        }

        return new FunctionTable()
            .Add("createInvoice", () => Invoices(f => f.CreateAsync))
            .Add("getInvoice", () => Invoices(f => f.GetAsync))
            .Add("listInvoices", () => Invoices(f => f.ListAsync))
            .Add("updateInvoice", () => Invoices(f => f.UpdateAsync))
            .Add("deleteInvoice", () => Invoices(f => f.DeleteAsync))
            .Add("payInvoice", () => Payments(f => f.PayAsync))
            .Add("voidInvoice", () => Payments(f => f.VoidAsync))
            .Add("billing", () => Fees(f => f.BillAsync))
            .Add("getBilling", () => Fees(f => f.GetAsync));
    }
}
