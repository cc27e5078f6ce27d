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
    /// a <c>version_conflict</c>.
    /// </summary>
    public static async Task<InvoiceUpdate> UpdateAsync(
        this IInvoiceStore store,
        string userId,
        string invoiceId,
        Func<Invoice, Result<Invoice>> decide,
        TimeProvider time,
        CancellationToken cancellationToken,
        int attempts = 3,
        bool keepVersion = false)
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

            var next = keepVersion ? decision.Value! with { Version = current.Version } : decision.Value! with { Version = current.Version + 1, UpdatedAt = time.GetUtcNow() };
            if (await store.TryReplaceAsync(next, current.Version, cancellationToken).ConfigureAwait(false))
            {
                return new InvoiceUpdate(next, Written: true);
            }
        }

        return new InvoiceUpdate(Failure.Conflict("version_conflict", "The invoice kept changing while this request ran; read it again and retry."), Written: false);
    }
}

/// <summary>What <see cref="InvoiceUpdates.UpdateAsync"/> answered, and whether it wrote anything.</summary>
public sealed record InvoiceUpdate(Result<Invoice> Result, bool Written);
