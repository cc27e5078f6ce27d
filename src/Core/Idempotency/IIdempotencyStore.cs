namespace PayMyInvoice.Core.Idempotency;

/// <summary>
/// Records that a piece of work ran, in the manner of Powertools Idempotency: an INPROGRESS record claimed with a
/// conditional write (and an expiry, so a crashed worker's claim lapses), COMPLETED once done, and a payload hash so
/// that a key reused for different work is refused.
/// </summary>
public interface IIdempotencyStore
{
    Task<IdempotencyClaim> ClaimAsync(string key, string payloadHash, TimeSpan inProgressFor, CancellationToken cancellationToken);

    Task CompleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Gives a claim back after a failure, so that the retry runs the work again.</summary>
    Task ReleaseAsync(string key, CancellationToken cancellationToken);
}

public enum IdempotencyClaim
{
    /// <summary>This caller runs the work.</summary>
    Claimed,

    /// <summary>Done before: do nothing.</summary>
    AlreadyCompleted,

    /// <summary>Another caller is running it now: try again later.</summary>
    InProgress,

    /// <summary>The key was used for different work: refuse.</summary>
    PayloadMismatch,
}

/// <summary>Thrown when work must be retried later (another worker holds it, or a dependency is unavailable).</summary>
public sealed class RetryLaterException(string message, Exception? inner = null) : Exception(message, inner);
