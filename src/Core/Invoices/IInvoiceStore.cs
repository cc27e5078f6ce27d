using PayMyInvoice.Core.Requests;

namespace PayMyInvoice.Core.Invoices;

/// <summary>Where invoices live. Every write is conditional, so a lost race is reported, never applied.</summary>
public interface IInvoiceStore
{
    /// <summary>Writes a new invoice; false if one with that id already exists.</summary>
    Task<bool> TryCreateAsync(Invoice invoice, CancellationToken cancellationToken);

    /// <summary>The caller's invoice, or null: another user's invoice is indistinguishable from a missing one.</summary>
    Task<Invoice?> GetAsync(string userId, string invoiceId, CancellationToken cancellationToken);

    Task<InvoicePage> ListAsync(InvoiceQuery query, CancellationToken cancellationToken);

    /// <summary>Replaces the invoice if the stored one still has <paramref name="expectedVersion"/>; false otherwise.</summary>
    Task<bool> TryReplaceAsync(Invoice invoice, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>Unpaid (open or payment_failed) invoices due before <paramref name="today"/>, from a sparse index: (user, invoice) keys.</summary>
    IAsyncEnumerable<(string UserId, string InvoiceId)> ListOverdueAsync(DateOnly today, CancellationToken cancellationToken);

    /// <summary>
    /// The invoice whose live pay link has this token hash (<see cref="PayLinks.PayLinkKeys.HashOf"/>), or null. Read
    /// from an index, so it may trail a write by a moment; writes always re-read by key.
    /// </summary>
    Task<Invoice?> FindByPayLinkAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Invoices in <paramref name="status"/> (processing or requires_action) since before <paramref name="before"/>
    /// (<see cref="Invoice.PendingSince"/>), oldest first, from a sparse index: (user, invoice) keys. The index is
    /// eventually consistent: read the invoice before acting on it.
    /// </summary>
    IAsyncEnumerable<(string UserId, string InvoiceId)> ListPendingAsync(InvoiceStatus status, DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Deletes the invoice if the stored one still has <paramref name="expectedVersion"/>; false otherwise.</summary>
    Task<bool> TryDeleteAsync(string userId, string invoiceId, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="TryCreateAsync(Invoice, CancellationToken)"/> and remembering <paramref name="request"/>, in one
    /// transaction: both are written, or neither (when the invoice exists, or the key is remembered and not expired).
    /// </summary>
    Task<StoreWrite> TryCreateAsync(Invoice invoice, RememberedRequest request, CancellationToken cancellationToken);

    /// <summary><see cref="TryReplaceAsync(Invoice, long, CancellationToken)"/> and remembering <paramref name="request"/>, in one transaction.</summary>
    Task<StoreWrite> TryReplaceAsync(Invoice invoice, long expectedVersion, RememberedRequest request, CancellationToken cancellationToken);

    /// <summary>The user's unexpired remembered request under this key (hash), read consistently; or null.</summary>
    Task<RememberedRequest?> FindRequestAsync(string userId, string keyHash, CancellationToken cancellationToken);
}

/// <summary>How a write that also remembers a request ended.</summary>
public enum StoreWrite
{
    Written,

    /// <summary>The invoice's condition failed (it exists, or its version moved); nothing was written.</summary>
    InvoiceChanged,

    /// <summary>The key is already remembered (another request with it won); nothing was written.</summary>
    KeyTaken,
}

/// <summary>One page of a user's invoices in creation order, after <see cref="AfterInvoiceId"/> when given.</summary>
public sealed record InvoiceQuery(string UserId, int Limit, string? AfterInvoiceId, InvoiceStatus? Status);

/// <summary><see cref="LastInvoiceId"/> is set when more invoices may follow.</summary>
public sealed record InvoicePage(IReadOnlyList<Invoice> Items, string? LastInvoiceId);
