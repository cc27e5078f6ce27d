using PayMyInvoice.Core.Idempotency;

namespace PayMyInvoice.UnitTests;

/// <summary>
/// RunOnceAsync's promise: work that ran is never given back to be run again. A store that cannot record the
/// completion for a moment (DynamoDB briefly unreachable) is retried while the claim holds; the claim is released only
/// when the work itself failed.
/// </summary>
public sealed class RunOnceTests
{
    [Fact]
    public async Task A_completion_that_fails_for_a_moment_is_retried_and_the_claim_is_never_released()
    {
        var store = new FlakyStore(failCompletions: 2);
        var runs = 0;

        var claim = await store.RunOnceAsync("email#1", "h", DateTimeOffset.UtcNow.AddSeconds(10), () => Task.FromResult(++runs), CancellationToken.None);

        Assert.Equal(IdempotencyClaim.Claimed, claim);
        Assert.Equal((1, 3, 0), (runs, store.CompletionAttempts, store.Releases));
    }

    [Fact]
    public async Task A_completion_that_never_lands_fails_the_call_but_leaves_the_claim_to_lapse_instead_of_releasing_it()
    {
        var store = new FlakyStore(failCompletions: int.MaxValue);

        await Assert.ThrowsAsync<IOException>(() => store.RunOnceAsync("email#1", "h", DateTimeOffset.UtcNow.AddMilliseconds(500), () => Task.CompletedTask, CancellationToken.None));

        Assert.InRange(store.CompletionAttempts, 2, 10);
        Assert.Equal(0, store.Releases);
    }

    [Fact]
    public async Task Work_that_fails_gives_its_claim_back_for_the_retry()
    {
        var store = new FlakyStore(failCompletions: 0);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.RunOnceAsync("email#1", "h", DateTimeOffset.UtcNow.AddSeconds(10), () => throw new InvalidOperationException("smtp down"), CancellationToken.None));

        Assert.Equal((0, 1), (store.CompletionAttempts, store.Releases));
    }

    private sealed class FlakyStore(int failCompletions) : IIdempotencyStore
    {
        public int CompletionAttempts { get; private set; }

        public int Releases { get; private set; }

        public Task<IdempotencyClaim> ClaimAsync(string key, string payloadHash, DateTimeOffset inProgressUntil, CancellationToken cancellationToken) =>
            Task.FromResult(IdempotencyClaim.Claimed);

        public Task CompleteAsync(string key, CancellationToken cancellationToken) =>
            ++CompletionAttempts <= failCompletions ? Task.FromException(new IOException("connection refused")) : Task.CompletedTask;

        public Task ReleaseAsync(string key, CancellationToken cancellationToken)
        {
            Releases++;
            return Task.CompletedTask;
        }
    }
}
