namespace PayMyInvoice.Contracts.ScheduledEvents;

/// <summary>What one reconcilePayments run did: invoices examined, and what became of them.</summary>
public sealed class ReconcileRunResponse
{
    /// <summary>Invoices read from the pending index and looked at (not those left unstarted near the deadline).</summary>
    public int Examined { get; set; }

    /// <summary>Stripe's outcome recorded: paid, payment_failed, or requires_action.</summary>
    public int Settled { get; set; }

    /// <summary>Sent to the billing queue again, because Stripe never saw them.</summary>
    public int Requeued { get; set; }

    /// <summary>Failed by the reconciler: processing_error after a re-queue, or action_expired.</summary>
    public int Failed { get; set; }

    /// <summary>Nothing to do yet (settled meanwhile, or still moving at Stripe).</summary>
    public int Left { get; set; }

    /// <summary>Stripe or the table failed for them: the next run tries again.</summary>
    public int Errors { get; set; }

    /// <summary>The run stopped before its deadline with invoices left for the next run.</summary>
    public bool Stopped { get; set; }
}
