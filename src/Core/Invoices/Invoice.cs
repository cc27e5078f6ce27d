namespace PayMyInvoice.Core.Invoices;

/// <summary>An invoice as stored. Money is an integer amount in minor units plus an ISO 4217 currency.</summary>
public sealed record Invoice
{
    public required string InvoiceId { get; init; }
    public required string UserId { get; init; }
    public required InvoiceDetails Details { get; init; }
    public required InvoiceStatus Status { get; init; }

    /// <summary>Starts at 1 and grows by one with every write: the optimistic-concurrency token.</summary>
    public required long Version { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The current (or last) payment attempt; set when a payment is requested.</summary>
    public PaymentAttempt? Payment { get; init; }

    /// <summary>The day the last overdue reminder was raised, so the daily run raises each reminder once.</summary>
    public DateOnly? LastOverdueNotice { get; init; }

    /// <summary>The payer's link, minted when the invoice is issued and dropped when it is voided (a fee has none).</summary>
    public PayLinks.PayLink? PayLink { get; init; }

    /// <summary>
    /// While the invoice awaits its payment's outcome (<see cref="InvoiceLifecycle.IsAwaitingPayment"/>): when it entered
    /// that status (stamped by <see cref="InvoiceUpdates"/> on every move into it), or when the reconciler last re-queued
    /// its payment. Not <see cref="UpdatedAt"/>, which other writes may move. The reconciler finds invoices by it.
    /// </summary>
    public DateTimeOffset? PendingSince { get; init; }

    /// <summary>
    /// This invoice in <paramref name="target"/>, if <see cref="InvoiceLifecycle"/> allows the move; otherwise an
    /// <c>invalid_transition</c> conflict. The new version is stamped when it is written (<see cref="InvoiceUpdates"/>).
    /// The payment's client secret and next action are kept only while the invoice requires action: every move
    /// clears them (the move into requires_action records the new ones).
    /// </summary>
    /// A voided invoice loses its pay link: nobody can pay it any more.
    public Result<Invoice> MoveTo(InvoiceStatus target, string doing) =>
        InvoiceLifecycle.CanMove(Status, target)
            ? this with { Status = target, Payment = Payment?.WithoutAction(), PayLink = target == InvoiceStatus.Void ? null : PayLink }
            : Failure.Conflict("invalid_transition", $"An invoice that is {Status.ToName()} cannot be {doing}.");
}

/// <summary>
/// One attempt to take payment, identified by <see cref="PaymentId"/> (also Stripe's idempotency key): with a payment
/// method the API was given (the billing worker charges it), or through a Checkout Session the payer opened from the
/// pay link (no method: Stripe's page collects it).
/// </summary>
public sealed record PaymentAttempt(
    string PaymentId,
    string? PaymentMethodId,
    string? PaymentIntentId = null,
    string? FailureCode = null,
    string? FailureMessage = null)
{
    public CheckoutSessionRef? Checkout { get; init; }

    /// <summary>
    /// Stripe's <c>client_secret</c> of the PaymentIntent, while the invoice is in requires_action: what the owner's
    /// frontend passes to <c>stripe.handleNextAction</c> so the payer can authenticate. Never put in events or emails.
    /// </summary>
    public string? ClientSecret { get; init; }

    /// <summary>Stripe's <c>next_action</c> of the PaymentIntent, while the invoice is in requires_action.</summary>
    public PaymentNextAction? NextAction { get; init; }

    /// <summary>
    /// The PaymentIntent of the attempt this one replaced (paying again from requires_action or payment_failed). The
    /// billing worker cancels it before charging this attempt; if the payer completed it first, that payment stands
    /// and this attempt charges nothing.
    /// </summary>
    public string? ReplacesPaymentIntentId { get; init; }

    /// <summary>This attempt without what only a requires_action invoice carries.</summary>
    public PaymentAttempt WithoutAction() => ClientSecret is null && NextAction is null ? this : this with { ClientSecret = null, NextAction = null };

    /// <summary>When the reconciler sent this payment to the billing queue again (it does so once; see <c>PaymentReconciler</c>).</summary>
    public DateTimeOffset? RequeuedAt { get; init; }
}

/// <summary>The Stripe Checkout Session a pay-link payment runs in: reused while open, so each invoice has at most one.</summary>
public sealed record CheckoutSessionRef(string SessionId, string Url, DateTimeOffset ExpiresAt);

/// <summary>What the issuer writes on an invoice: validated, so an instance is always a valid one.</summary>
public sealed record InvoiceDetails(
    string PayerEmail,
    string Description,
    long Amount,
    string Currency,
    DateOnly DueDate,
    IReadOnlyList<LineItem> LineItems,
    string? Attachment,
    string? IssuerEmail = null);

public sealed record LineItem(string Description, long Quantity, long UnitAmount)
{
    public long Total => Quantity * UnitAmount;
}
