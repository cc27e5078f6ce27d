using PayMyInvoice.Http;
using PayMyInvoice.Api.Invoices;
using PayMyInvoice.Api.PayLinks;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.PayLinks;
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
                return new DynamoDbInvoiceStore(DynamoDbClients.FromSettings(aws, forHttp: true), aws.Required(TableVariable), settings(IdempotencyTableVariable));
            },
            PayLinkKeys.FromSettings(settings),
            settings(CorsOriginVariable) ?? "*");
    }

    /// <summary>The same table over any invoice store (tests pass their own).</summary>
    public static FunctionTable Create(Func<IInvoiceStore> store, PayLinkKeys payLinks, string allowedOrigin = "*")
    {
        ArgumentNullException.ThrowIfNull(store);
        // Each function builds its store once, shared by its use case and its Idempotency-Key memory.
        ILambdaFunction Route<TFunctions>(
            Func<IInvoiceStore, IdempotentRequests, TFunctions> build,
            Func<TFunctions, Func<HttpCall, CancellationToken, Task<APIGatewayProxyResponse>>> pick)
        {
            var invoices = store();
            return HttpFunction.Create(pick(build(invoices, new IdempotentRequests(invoices, TimeProvider.System))), allowedOrigin);
        }

        InvoiceFunctions Invoices(IInvoiceStore s, IdempotentRequests r) => new(new InvoiceService(s, TimeProvider.System, payLinks), r, payLinks);
        static PaymentFunctions Payments(IInvoiceStore s, IdempotentRequests r) => new(new PaymentService(s, TimeProvider.System), r);
        static FeeFunctions Fees(IInvoiceStore s, IdempotentRequests r) => new(new FeeService(s, TimeProvider.System), r);

        return new FunctionTable()
            .Add("createInvoice", () => Route(Invoices, f => f.CreateAsync))
            .Add("getInvoice", () => Route(Invoices, f => f.GetAsync))
            .Add("listInvoices", () => Route(Invoices, f => f.ListAsync))
            .Add("updateInvoice", () => Route(Invoices, f => f.UpdateAsync))
            .Add("deleteInvoice", () => Route(Invoices, f => f.DeleteAsync))
            .Add("payInvoice", () => Route(Payments, f => f.PayAsync))
            .Add("voidInvoice", () => Route(Payments, f => f.VoidAsync))
            .Add("billing", () => Route(Fees, f => f.BillAsync))
            .Add("getBilling", () => Route(Fees, f => f.GetAsync))
            .Add("payPage", () => HttpFunction.CreateAnonymous(new PayPageFunction(store(), TimeProvider.System).GetAsync));
    }
}
