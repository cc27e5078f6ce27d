using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.Requests;

namespace PayMyInvoice.UnitTests;

/// <summary>A store for testing use-case logic only; the DynamoDB adapter is proven against DynamoDB Local.</summary>
internal sealed class InMemoryInvoiceStore : IInvoiceStore
{
    private readonly SortedDictionary<(string User, string Id), Invoice> _items = new();
    private readonly Dictionary<(string User, string KeyHash), RememberedRequest> _requests = new();

    public int Writes { get; private set; }

    /// <summary>How many requests made with an Idempotency-Key are remembered.</summary>
    public int RememberedRequests => _requests.Count;

    public Task<bool> TryCreateAsync(Invoice invoice, CancellationToken cancellationToken) =>
        Task.FromResult(Write(() => _items.TryAdd((invoice.UserId, invoice.InvoiceId), invoice)));

    public Task<Invoice?> GetAsync(string userId, string invoiceId, CancellationToken cancellationToken) =>
        Task.FromResult(_items.GetValueOrDefault((userId, invoiceId)));

    public Task<InvoicePage> ListAsync(InvoiceQuery query, CancellationToken cancellationToken)
    {
        var matching = _items.Values
            .Where(i => i.UserId == query.UserId && (query.AfterInvoiceId is null || string.CompareOrdinal(i.InvoiceId, query.AfterInvoiceId) > 0))
            .Where(i => query.Status is null || i.Status == query.Status)
            .ToList();
        var page = matching.Take(query.Limit).ToList();
        return Task.FromResult(new InvoicePage(page, matching.Count > page.Count ? page[^1].InvoiceId : null));
    }

    public Task<bool> TryReplaceAsync(Invoice invoice, long expectedVersion, CancellationToken cancellationToken) =>
        Task.FromResult(Write(() =>
        {
            var key = (invoice.UserId, invoice.InvoiceId);
            if (!_items.TryGetValue(key, out var current) || current.Version != expectedVersion)
            {
                return false;
            }

            _items[key] = invoice;
            return true;
        }));

    public async IAsyncEnumerable<(string UserId, string InvoiceId)> ListOverdueAsync(DateOnly today, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var invoice in _items.Values.Where(i => i.Status is InvoiceStatus.Open or InvoiceStatus.PaymentFailed && i.Details.DueDate < today).ToList())
        {
            yield return (invoice.UserId, invoice.InvoiceId);
        }
    }

    public Task<Invoice?> FindByPayLinkAsync(string tokenHash, CancellationToken cancellationToken) =>
        Task.FromResult(_items.Values.FirstOrDefault(i => i.PayLink?.TokenHash == tokenHash));

    public async IAsyncEnumerable<(string UserId, string InvoiceId)> ListPendingAsync(InvoiceStatus status, DateTimeOffset before, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var invoice in _items.Values.Where(i => i.Status == status && (i.PendingSince ?? i.UpdatedAt) < before).OrderBy(i => i.PendingSince ?? i.UpdatedAt).ToList())
        {
            yield return (invoice.UserId, invoice.InvoiceId);
        }
    }

    public Task<bool> TryDeleteAsync(string userId, string invoiceId, long expectedVersion, CancellationToken cancellationToken) =>
        Task.FromResult(Write(() => _items.TryGetValue((userId, invoiceId), out var current) && current.Version == expectedVersion && _items.Remove((userId, invoiceId))));

    public Task<StoreWrite> TryCreateAsync(Invoice invoice, RememberedRequest request, CancellationToken cancellationToken) =>
        Remembering(request, () => TryCreateAsync(invoice, cancellationToken));

    public Task<StoreWrite> TryReplaceAsync(Invoice invoice, long expectedVersion, RememberedRequest request, CancellationToken cancellationToken) =>
        Remembering(request, () => TryReplaceAsync(invoice, expectedVersion, cancellationToken));

    public Task<RememberedRequest?> FindRequestAsync(string userId, string keyHash, CancellationToken cancellationToken) =>
        Task.FromResult(_requests.GetValueOrDefault((userId, keyHash)) is { } request && !request.IsExpiredAt(DateTimeOffset.UtcNow) ? request : null);

    /// <summary>Puts an invoice as it would stand after other writers (a payment worker, say) changed it.</summary>
    public void Put(Invoice invoice) => _items[(invoice.UserId, invoice.InvoiceId)] = invoice;

    private async Task<StoreWrite> Remembering(RememberedRequest request, Func<Task<bool>> write)
    {
        if (_requests.TryGetValue((request.UserId, request.KeyHash), out var held) && !held.IsExpiredAt(request.CreatedAt))
        {
            return StoreWrite.KeyTaken;
        }

        if (!await write().ConfigureAwait(false))
        {
            return StoreWrite.InvoiceChanged;
        }

        _requests[(request.UserId, request.KeyHash)] = request;
        return StoreWrite.Written;
    }

    private bool Write(Func<bool> write)
    {
        var applied = write();
        Writes += applied ? 1 : 0;
        return applied;
    }
}
