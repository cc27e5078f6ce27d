using PayMyInvoice.Api;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.Requests;
using PayMyInvoice.Tests;

namespace PayMyInvoice.UnitTests;

public sealed class HttpFunctionTests
{
    [Fact]
    public async Task A_failing_dependency_is_a_500_in_the_error_shape_with_CORS_never_an_exception()
    {
        var api = new ApiCalls(ApiFunctions.Create(() => new BrokenStore(), TestPayLinks.Keys, "https://app.example.com"));
        var result = await api.GetAsync(InvoiceIds.New());
        Assert.Equal((500, "internal_error"), (result.Status, result.ErrorCode));
        Assert.Equal("https://app.example.com", result.Headers["Access-Control-Allow-Origin"]);
    }

    [Fact]
    public async Task The_CORS_origin_comes_from_the_functions_settings()
    {
        var settings = new Dictionary<string, string> { ["INVOICES_TABLE"] = "t", ["AWS_REGION"] = "us-east-1", ["CORS_ALLOWED_ORIGIN"] = "https://app.example.com" };
        var api = new ApiCalls(ApiFunctions.Create(settings.GetValueOrDefault));
        var result = await api.ListAsync(userId: null); // 401 before any DynamoDB call
        Assert.Equal(401, result.Status);
        Assert.Equal("https://app.example.com", result.Headers["Access-Control-Allow-Origin"]);
    }

    private sealed class BrokenStore : IInvoiceStore
    {
        public Task<bool> TryCreateAsync(Invoice invoice, CancellationToken cancellationToken) => throw new IOException("network down");

        public Task<Invoice?> GetAsync(string userId, string invoiceId, CancellationToken cancellationToken) => throw new IOException("network down");

        public Task<InvoicePage> ListAsync(InvoiceQuery query, CancellationToken cancellationToken) => throw new IOException("network down");

        public Task<bool> TryReplaceAsync(Invoice invoice, long expectedVersion, CancellationToken cancellationToken) => throw new IOException("network down");

        public IAsyncEnumerable<(string UserId, string InvoiceId)> ListOverdueAsync(DateOnly today, CancellationToken cancellationToken) => throw new IOException("network down");

        public Task<Invoice?> FindByPayLinkAsync(string tokenHash, CancellationToken cancellationToken) => throw new IOException("network down");

        public IAsyncEnumerable<(string UserId, string InvoiceId)> ListPendingAsync(InvoiceStatus status, DateTimeOffset before, CancellationToken cancellationToken) => throw new IOException("network down");

        public Task<bool> TryDeleteAsync(string userId, string invoiceId, long expectedVersion, CancellationToken cancellationToken) => throw new IOException("network down");

        public Task<StoreWrite> TryCreateAsync(Invoice invoice, RememberedRequest request, CancellationToken cancellationToken) => throw new IOException("network down");

        public Task<StoreWrite> TryReplaceAsync(Invoice invoice, long expectedVersion, RememberedRequest request, CancellationToken cancellationToken) => throw new IOException("network down");

        public Task<RememberedRequest?> FindRequestAsync(string userId, string keyHash, CancellationToken cancellationToken) => throw new IOException("network down");
    }
}
