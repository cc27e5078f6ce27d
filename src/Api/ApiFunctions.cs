using PayMyInvoice.Api.Http;
using PayMyInvoice.Api.Invoices;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Infrastructure.DynamoDb;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Api;

/// <summary>
/// The HTTP functions this executable serves, by their serverless.yml names. The object graph is built once per
/// execution environment, at init, and only for the function chosen.
/// </summary>
public static class ApiFunctions
{
    public const string TableVariable = "INVOICES_TABLE";

    public static FunctionTable Create() => Create(() =>
    {
        var table = Environment.GetEnvironmentVariable(TableVariable)
            ?? throw new InvalidOperationException($"{TableVariable} is not set; serverless.yml sets it for every function.");
        return new InvoiceService(new DynamoDbInvoiceStore(DynamoDbClients.FromEnvironment(), table), TimeProvider.System);
    });

    /// <summary>The same table over any invoice service (tests pass one over their own store).</summary>
    public static FunctionTable Create(Func<InvoiceService> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new FunctionTable()
            .Add("createInvoice", () => HttpFunction.Create(new InvoiceFunctions(services()).CreateAsync))
            .Add("getInvoice", () => HttpFunction.Create(new InvoiceFunctions(services()).GetAsync))
            .Add("listInvoices", () => HttpFunction.Create(new InvoiceFunctions(services()).ListAsync))
            .Add("updateInvoice", () => HttpFunction.Create(new InvoiceFunctions(services()).UpdateAsync))
            .Add("deleteInvoice", () => HttpFunction.Create(new InvoiceFunctions(services()).DeleteAsync));
    }
}
