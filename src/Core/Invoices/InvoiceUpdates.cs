using PayMyInvoice.Core.Requests;

namespace PayMyInvoice.Core.Invoices;

/// <summary>
/// The one read-decide-write loop for changing a stored invoice: read it, let the caller decide on what it sees,
/// write the decision conditionally on the version read (bumping it), and on a lost race read again and decide again.
/// </summary>
public static class InvoiceUpdates
{
    /// <summary>
    /// <paramref name="decide"/> answers the current invoice with the invoice to write, with the current invoice itself
    /// (nothing to write: it is answered as is), or with a failure (answered as is). A write stamps the next version and
    /// the time, unless <paramref name="keepVersion"/>: a change the owner did not make and need not see (a reminder
    /// mark) must not make the owner's next edit a conflict. After <paramref name="attempts"/> lost races the answer is
    /// a <c>version_conflict</c>. With <paramref name="remember"/> the write also remembers the request (an
    /// Idempotency-Key's record made from the invoice written), in the same transaction; if the key turns out to be
    /// remembered already, nothing is written and the answer is <see cref="RememberedRequests.KeyTaken"/>.
    /// </summary>
    public static async Task<InvoiceUpdate> UpdateAsync(
        this IInvoiceStore store,
        string userId,
        string invoiceId,
        Func<Invoice, Result<Invoice>> decide,
        TimeProvider time,
        CancellationToken cancellationToken,
        int attempts = 3,
        bool keepVersion = false,
        Func<Invoice, RememberedRequest>? remember = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(decide);
        ArgumentNullException.ThrowIfNull(time);
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            if (await store.GetAsync(userId, invoiceId, cancellationToken).ConfigureAwait(false) is not { } current)
            {
                return new InvoiceUpdate(Failure.NotFound("The invoice"), Written: false);
            }

            var decision = decide(current);
            if (decision.Failure is not null || ReferenceEquals(decision.Value, current))
            {
                return new InvoiceUpdate(decision, Written: false);
            }

            var now = time.GetUtcNow();
            var next = keepVersion ? decision.Value! with { Version = current.Version } : decision.Value! with { Version = current.Version + 1, UpdatedAt = now };
            next = StampPending(current, next, now);
            var write = remember is null
                ? await store.TryReplaceAsync(next, current.Version, cancellationToken).ConfigureAwait(false) ? StoreWrite.Written : StoreWrite.InvoiceChanged
                : await store.TryReplaceAsync(next, current.Version, remember(next), cancellationToken).ConfigureAwait(false);
            switch (write)
            {
                case StoreWrite.Written:
                    return new InvoiceUpdate(next, Written: true);
                case StoreWrite.KeyTaken:
                    return new InvoiceUpdate(RememberedRequests.KeyTaken(), Written: false);
            }
        }

        return new InvoiceUpdate(Failure.Conflict("version_conflict", "The invoice kept changing while this request ran; read it again and retry."), Written: false);
    }

    /// <summary>
    /// <see cref="Invoice.PendingSince"/>: set to now on a move into an awaiting-payment status, cleared on a move out of
    /// one, and otherwise what the decision says (the reconciler restarts the clock when it re-queues a payment).
    /// </summary>
    private static Invoice StampPending(Invoice current, Invoice next, DateTimeOffset now) =>
        !InvoiceLifecycle.IsAwaitingPayment(next.Status) ? next with { PendingSince = null }
        : next.Status != current.Status || next.PendingSince is null ? next with { PendingSince = now }
        : next;

    /// <summary>Creates the invoice, remembering the request with it when <paramref name="remember"/> is given.</summary>
    public static async Task<StoreWrite> CreateAsync(this IInvoiceStore store, Invoice invoice, Func<Invoice, RememberedRequest>? remember, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(invoice);
        return remember is null
            ? await store.TryCreateAsync(invoice, cancellationToken).ConfigureAwait(false) ? StoreWrite.Written : StoreWrite.InvoiceChanged
            : await store.TryCreateAsync(invoice, remember(invoice), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>What <see cref="InvoiceUpdates.UpdateAsync"/> answered, and whether it wrote anything.</summary>
public sealed record InvoiceUpdate(Result<Invoice> Result, bool Written);
