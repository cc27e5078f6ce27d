using PayMyInvoice.Api.Http;
using PayMyInvoice.Api.Invoices;
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

    public static FunctionTable Create(Func<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Create(
            () =>
            {
                var table = settings(TableVariable)
                    ?? throw new InvalidOperationException($"{TableVariable} is not set; serverless.yml sets it for every function.");
                return new InvoiceService(new DynamoDbInvoiceStore(DynamoDbClients.FromSettings(new AwsSettings(settings)), table), TimeProvider.System);
            },
            settings(CorsOriginVariable) ?? "*");
    }

    /// <summary>The same table over any invoice service (tests pass one over their own store).</summary>
    public static FunctionTable Create(Func<InvoiceService> services, string allowedOrigin = "*")
    {
        ArgumentNullException.ThrowIfNull(services);
        ILambdaFunction Http(Func<InvoiceFunctions, Func<HttpCall, CancellationToken, Task<Contracts.APIGatewayEvents.APIGatewayProxyResponse>>> pick) =>
            HttpFunction.Create(pick(new InvoiceFunctions(services())), allowedOrigin);

        return new FunctionTable()
            .Add("createInvoice", () => Http(f => f.CreateAsync))
            .Add("getInvoice", () => Http(f => f.GetAsync))
            .Add("listInvoices", () => Http(f => f.ListAsync))
            .Add("updateInvoice", () => Http(f => f.UpdateAsync))
            .Add("deleteInvoice", () => Http(f => f.DeleteAsync));
    }
}
