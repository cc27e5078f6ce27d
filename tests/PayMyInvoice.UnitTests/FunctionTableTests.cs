using PayMyInvoice.Api;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.UnitTests;

public sealed class FunctionTableTests
{
    [Fact]
    public void The_api_executable_serves_the_invoice_and_payment_functions() =>
        Assert.Equal(
            ["billing", "createInvoice", "deleteInvoice", "getBilling", "getInvoice", "listInvoices", "payInvoice", "payPage", "updateInvoice", "voidInvoice"],
            ApiFunctions.Create(_ => null).Names.Order(StringComparer.Ordinal));

    [Fact]
    public void An_unknown_function_name_says_which_ones_exist()
    {
        var error = Assert.Throws<UnknownFunctionException>(() => ApiFunctions.Create(_ => null).Create("billingWorker"));
        Assert.Contains("createInvoice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Choosing_a_function_builds_only_that_one()
    {
        var built = new List<string>();
        var table = new FunctionTable()
            .Add("a", () => { built.Add("a"); return null!; })
            .Add("b", () => { built.Add("b"); return null!; });
        table.Create("b");
        Assert.Equal(["b"], built);
    }
}
