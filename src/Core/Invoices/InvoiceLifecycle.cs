namespace PayMyInvoice.Core.Invoices;

/// <summary>
/// The invoice state machine, the one table every use case moves an invoice by (through <see cref="Invoice.MoveTo"/>):
/// draft → open → processing → paid, processing → requires_action | payment_failed, processing → open (the payer left
/// a Checkout Session until it expired: nothing was tried, so the invoice is simply payable again), requires_action →
/// paid | payment_failed | processing (paid again with another method) | void, payment_failed → processing (a retry) |
/// paid (Stripe reports a success late, or out of order: the money was taken, so it wins) | void, draft|open → void.
/// Leaving requires_action or payment_failed for processing or void leaves a PaymentIntent the payer could still
/// complete, so the billing worker cancels it: before charging the new attempt (which records it as
/// <see cref="PaymentAttempt.ReplacesPaymentIntentId"/>), and on InvoiceVoided. If the payer completed it first, the
/// money is real: a new attempt records the invoice paid by the old intent and charges nothing; a void refunds it.
/// </summary>
public static class InvoiceLifecycle
{
    private static readonly Dictionary<InvoiceStatus, InvoiceStatus[]> Transitions = new()
    {
        [InvoiceStatus.Draft] = [InvoiceStatus.Open, InvoiceStatus.Void],
        [InvoiceStatus.Open] = [InvoiceStatus.Processing, InvoiceStatus.Void],
        [InvoiceStatus.Processing] = [InvoiceStatus.Paid, InvoiceStatus.RequiresAction, InvoiceStatus.PaymentFailed, InvoiceStatus.Open],
        [InvoiceStatus.RequiresAction] = [InvoiceStatus.Paid, InvoiceStatus.PaymentFailed, InvoiceStatus.Processing, InvoiceStatus.Void],
        [InvoiceStatus.PaymentFailed] = [InvoiceStatus.Processing, InvoiceStatus.Paid, InvoiceStatus.Void],
        [InvoiceStatus.Paid] = [],
        [InvoiceStatus.Void] = [],
    };

    public static bool CanMove(InvoiceStatus from, InvoiceStatus to) => Transitions[from].Contains(to);

    /// <summary>A payment was started and its outcome is not recorded yet: the statuses the reconciler watches.</summary>
    public static bool IsAwaitingPayment(InvoiceStatus status) => status is InvoiceStatus.Processing or InvoiceStatus.RequiresAction;

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
