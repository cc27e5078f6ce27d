using System.Globalization;
using PayMyInvoice.Core.PayLinks;
using PayMyInvoice.Core.Requests;

namespace PayMyInvoice.Core.Invoices;

/// <summary>
/// The invoice use cases behind the HTTP functions; the caller is always an authenticated user id. Issuing an invoice
/// (creating it open, or opening a draft) mints its pay link.
/// </summary>
public sealed class InvoiceService(IInvoiceStore store, TimeProvider time, PayLinkKeys payLinks)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>With <paramref name="remember"/> the new invoice and the request (Idempotency-Key) are written together.</summary>
    public async Task<Result<Invoice>> CreateAsync(string userId, InvoiceInput input, CancellationToken cancellationToken, Func<Invoice, RememberedRequest>? remember = null)
    {
        var validated = InvoiceValidator.Validate(input, userId);
        if (validated.Failure is { } failure)
        {
            return failure;
        }

        var now = time.GetUtcNow();
        var invoice = WithPayLink(new Invoice
        {
            InvoiceId = InvoiceIds.New(),
            UserId = userId,
            Details = validated.Value.Details,
            Status = validated.Value.Status ?? InvoiceStatus.Draft,
            Version = 1,
            CreatedAt = now,
            UpdatedAt = now,
        });

        // A version-7 GUID collision is not a case to handle; the condition only guards against overwriting.
        return await store.CreateAsync(invoice, remember, cancellationToken).ConfigureAwait(false) switch
        {
            StoreWrite.Written => invoice,
            StoreWrite.KeyTaken => RememberedRequests.KeyTaken(),
            _ => Failure.Conflict("already_exists", "An invoice with this id already exists."),
        };
    }

    public async Task<Result<Invoice>> GetAsync(string userId, string? invoiceId, CancellationToken cancellationToken) =>
        await FindAsync(userId, invoiceId, cancellationToken).ConfigureAwait(false) is { } invoice
            ? invoice
            : Failure.NotFound("The invoice");

    public async Task<Result<InvoicePage>> ListAsync(string userId, string? limit, string? cursor, string? status, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var pageSize = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxPageSize))
        {
            errors.Add(new FieldError("limit", "out_of_range", $"Must be an integer from 1 to {MaxPageSize}."));
        }

        string? after = null;
        if (cursor is not null && !PageCursor.TryDecode(cursor, out after))
        {
            errors.Add(new FieldError("cursor", "invalid_format", "Pass back the nextCursor of a previous page unchanged."));
        }

        InvoiceStatus? statusFilter = null;
        if (status is not null)
        {
            if (InvoiceStatusNames.TryParse(status, out var parsed))
            {
                statusFilter = parsed;
            }
            else
            {
                errors.Add(new FieldError("status", "invalid_value", "Must be one of: " + string.Join(", ", Enum.GetValues<InvoiceStatus>().Select(s => s.ToName())) + "."));
            }
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        return await store.ListAsync(new InvoiceQuery(userId, pageSize, after, statusFilter), cancellationToken).ConfigureAwait(false);
    }

    public async Task<Result<Invoice>> UpdateAsync(string userId, string? invoiceId, InvoiceInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var validated = InvoiceValidator.Validate(input, userId);
        var errors = validated.Failure?.Details?.ToList() ?? [];
        if (input.Version is not { } expectedVersion || expectedVersion < 1)
        {
            errors.Add(new FieldError("version", "required", "Send the version you read; it guards against overwriting someone else's change."));
            expectedVersion = 0;
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        if (await FindAsync(userId, invoiceId, cancellationToken).ConfigureAwait(false) is not { } current)
        {
            return Failure.NotFound("The invoice");
        }

        if (current.Version != expectedVersion)
        {
            return VersionConflict(current.Version);
        }

        if (!InvoiceLifecycle.IsEditable(current.Status))
        {
            return Failure.Conflict("invoice_not_editable", $"An invoice that is {current.Status.ToName()} cannot be edited.");
        }

        var status = validated.Value.Status ?? current.Status;
        if (!InvoiceLifecycle.CanEditInto(current.Status, status))
        {
            return Failure.Conflict("invalid_transition", $"An invoice cannot go from {current.Status.ToName()} to {status.ToName()}.");
        }

        var updated = WithPayLink(current with
        {
            Details = validated.Value.Details,
            Status = status,
            Version = current.Version + 1,
            UpdatedAt = time.GetUtcNow(),
        });
        return await store.TryReplaceAsync(updated, current.Version, cancellationToken).ConfigureAwait(false)
            ? updated
            : VersionConflict(null);
    }

    public async Task<Result<Invoice>> DeleteAsync(string userId, string? invoiceId, CancellationToken cancellationToken)
    {
        if (await FindAsync(userId, invoiceId, cancellationToken).ConfigureAwait(false) is not { } current)
        {
            return Failure.NotFound("The invoice");
        }

        if (!InvoiceLifecycle.IsDeletable(current.Status))
        {
            return Failure.Conflict("invoice_not_deletable", $"An invoice that is {current.Status.ToName()} cannot be deleted.");
        }

        return await store.TryDeleteAsync(userId, current.InvoiceId, current.Version, cancellationToken).ConfigureAwait(false)
            ? current
            : VersionConflict(null);
    }

    /// <summary>An issued invoice gets its link once; drafts have none (nobody should pay them), nor do fees (the owner pays those).</summary>
    private Invoice WithPayLink(Invoice invoice) =>
        invoice is { Status: InvoiceStatus.Open, PayLink: null } && !InvoiceIds.IsFee(invoice.InvoiceId)
            ? invoice with { PayLink = payLinks.Mint() }
            : invoice;

    private async Task<Invoice?> FindAsync(string userId, string? invoiceId, CancellationToken cancellationToken) =>
        InvoiceIds.IsWellFormed(invoiceId)
            ? await store.GetAsync(userId, invoiceId!, cancellationToken).ConfigureAwait(false)
            : null;

    private static Failure VersionConflict(long? currentVersion) => Failure.Conflict(
        "version_conflict",
        currentVersion is { } version
            ? $"The invoice has changed since you read it (it is at version {version}); read it again and retry."
            : "The invoice changed while this request ran; read it again and retry.");
}
