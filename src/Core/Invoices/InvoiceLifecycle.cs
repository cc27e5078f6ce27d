namespace PayMyInvoice.Core.Invoices;

/// <summary>
/// The invoice state machine (ARCHITECTURE.md): draft → open → processing → paid, processing → requires_action |
/// payment_failed, payment_failed → processing, draft|open|payment_failed → void.
/// </summary>
public static class InvoiceLifecycle
{
    private static readonly Dictionary<InvoiceStatus, InvoiceStatus[]> Transitions = new()
    {
        [InvoiceStatus.Draft] = [InvoiceStatus.Open, InvoiceStatus.Void],
        [InvoiceStatus.Open] = [InvoiceStatus.Processing, InvoiceStatus.Void],
        [InvoiceStatus.Processing] = [InvoiceStatus.Paid, InvoiceStatus.RequiresAction, InvoiceStatus.PaymentFailed],
        [InvoiceStatus.RequiresAction] = [InvoiceStatus.Processing, InvoiceStatus.Paid, InvoiceStatus.PaymentFailed],
        [InvoiceStatus.PaymentFailed] = [InvoiceStatus.Processing, InvoiceStatus.Void],
        [InvoiceStatus.Paid] = [],
        [InvoiceStatus.Void] = [],
    };

    public static bool CanMove(InvoiceStatus from, InvoiceStatus to) => Transitions[from].Contains(to);

    /// <summary>Only what no payment has touched may be edited: a payer may already be looking at anything else.</summary>
    public static bool IsEditable(InvoiceStatus status) => status is InvoiceStatus.Draft or InvoiceStatus.Open;

    /// <summary>Paid invoices are records; one whose payment is under way must settle first.</summary>
    public static bool IsDeletable(InvoiceStatus status) =>
        status is InvoiceStatus.Draft or InvoiceStatus.Open or InvoiceStatus.PaymentFailed or InvoiceStatus.Void;

    /// <summary>A client may create an invoice as a draft or issue it at once.</summary>
    public static bool IsCreatable(InvoiceStatus status) => status is InvoiceStatus.Draft or InvoiceStatus.Open;

    /// <summary>Through an edit a client may keep the status or issue a draft; nothing else.</summary>
    public static bool CanEditInto(InvoiceStatus from, InvoiceStatus to) => from == to || (from == InvoiceStatus.Draft && to == InvoiceStatus.Open);
}
