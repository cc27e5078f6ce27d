namespace PayMyInvoice.Core.Idempotency;

/// <summary>
/// Records that a piece of work ran, in the manner of Powertools Idempotency: an INPROGRESS record claimed with a
/// conditional write (and an expiry, so a crashed worker's claim lapses), COMPLETED once done, and a payload hash so
/// that a key reused for different work is refused.
/// </summary>
public interface IIdempotencyStore
{
    /// <param name="inProgressUntil">When the claim lapses if never completed or released: the invocation's deadline, as
    /// Powertools sets it, since after it the worker holding the claim no longer runs.</param>
    Task<IdempotencyClaim> ClaimAsync(string key, string payloadHash, DateTimeOffset inProgressUntil, CancellationToken cancellationToken);

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

public static class IdempotencyStoreExtensions
{
    /// <summary>
    /// Runs <paramref name="work"/> at most once per key: claims it until <paramref name="inProgressUntil"/> (the
    /// invocation's deadline), marks it completed after success (retrying that record while the claim holds), and gives
    /// the claim back if the work throws, so a retry runs it again. Another worker holding the claim is a
    /// <see cref="RetryLaterException"/>. Returns <see cref="IdempotencyClaim.Claimed"/> when the work ran here, else why not.
    /// </summary>
    public static async Task<IdempotencyClaim> RunOnceAsync(
        this IIdempotencyStore store,
        string key,
        string payloadHash,
        DateTimeOffset inProgressUntil,
        Func<Task> work,
        CancellationToken cancellationToken,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(work);
        var claim = await store.ClaimAsync(key, payloadHash, inProgressUntil, cancellationToken).ConfigureAwait(false);
        if (claim == IdempotencyClaim.InProgress)
        {
            throw new RetryLaterException($"{key} is being worked on by another worker.");
        }

        if (claim != IdempotencyClaim.Claimed)
        {
            return claim;
        }

        try
        {
            await work().ConfigureAwait(false);
        }
        catch
        {
            await store.ReleaseAsync(key, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        // The work is done (an email sent, a charge recorded): giving the claim back now would let a retry do it
        // twice. So the completion is retried through a brief outage of the store for as long as the claim holds; if
        // it never lands, the claim is left to lapse at its deadline rather than released.
        await CompleteAfterWorkAsync(store, key, inProgressUntil, time ?? TimeProvider.System, cancellationToken).ConfigureAwait(false);
        return claim;
    }

    /// <summary>Pause between attempts to record a completion: doubling from the first, capped at the last.</summary>
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(2);

    private static async Task CompleteAfterWorkAsync(IIdempotencyStore store, string key, DateTimeOffset inProgressUntil, TimeProvider time, CancellationToken cancellationToken)
    {
        for (var pause = FirstPause; ; pause = pause * 2 < LongestPause ? pause * 2 : LongestPause)
        {
            try
            {
                await store.CompleteAsync(key, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested && time.GetUtcNow() + pause < inProgressUntil)
            {
                await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
