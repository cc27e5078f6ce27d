using System.Diagnostics;
using System.Text.Json;
using PayMyInvoice.Local.RuntimeApi;

namespace PayMyInvoice.Bench;

/// <summary>One cold start: spawn → first <c>next</c> (init) and spawn → response posted (total).</summary>
public sealed record ColdRun(double InitMs, double TotalMs, double PeakRssMiB, string Answer);

/// <summary>One warm environment: its invocations after the cold one, warm-up pings, and what it cost in CPU and memory.</summary>
public sealed record WarmSession(
    IReadOnlyList<double> DurationsMs,
    IReadOnlyList<double> PingDurationsUs,
    double CpuMsPerInvoke,
    double PeakRssMiB,
    IReadOnlyDictionary<string, int> Answers);

public static class Measurements
{
    /// <summary>
    /// <paramref name="runs"/> rounds, each starting every subject once from a new process; the order rotates each round
    /// so that noise on the machine (another process, a GC in this one) hits every build alike.
    /// </summary>
    public static async Task<Dictionary<BenchSubject, List<ColdRun>>> ColdAsync(IReadOnlyList<BenchSubject> subjects, int runs, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        ArgumentNullException.ThrowIfNull(progress);
        var results = subjects.ToDictionary(s => s, _ => new List<ColdRun>());

        // One untimed round first: this process's Runtime API server and DynamoDB Local's JVM warm up on their first
        // requests, which would otherwise be charged to whichever function came first.
        foreach (var subject in subjects)
        {
            var first = await ColdOnceAsync(subject).ConfigureAwait(false);
            progress($"cold: {subject.Label} answered {first.Answer} in {first.TotalMs:0.0} ms (untimed)");
        }

        for (var round = 0; round < runs; round++)
        {
            for (var i = 0; i < subjects.Count; i++)
            {
                var subject = subjects[(i + round) % subjects.Count];
                results[subject].Add(await ColdOnceAsync(subject).ConfigureAwait(false));
            }

            progress($"cold: round {round + 1}/{runs} done");
        }

        return results;
    }

    public static async Task<ColdRun> ColdOnceAsync(BenchSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var payload = subject.Payload(); // read before the clock starts
        await using var process = await FunctionProcess.StartAsync(subject.Function, subject.Command, subject.Variables).ConfigureAwait(false);

        // The event waits before the process is up, as Lambda's does: init ends at the first next, which takes it.
        var invocation = process.InvokeAsync(payload, subject.Timeout);
        var init = await process.InitAsync().ConfigureAwait(false);
        var result = await invocation.ConfigureAwait(false);
        var total = Stopwatch.GetElapsedTime(process.StartedAt, result.CompletedAt);
        return new ColdRun(init.TotalMilliseconds, total.TotalMilliseconds, process.PeakRssMiB(), Answer(result));
    }

    /// <summary>A cold start, then <paramref name="invocations"/> warm calls one after another, then <paramref name="pings"/> warm-up pings.</summary>
    public static async Task<WarmSession> WarmAsync(BenchSubject subject, int invocations, int pings)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using var process = await FunctionProcess.StartAsync(subject.Function, subject.Command, subject.Variables).ConfigureAwait(false);
        var answers = new Dictionary<string, int>(StringComparer.Ordinal);
        var payload = subject.Payload();
        _ = await process.InvokeAsync(payload, subject.Timeout).ConfigureAwait(false);

        var durations = new List<double>(invocations);
        var cpuBefore = process.CpuTime();
        for (var i = 0; i < invocations; i++)
        {
            var result = await process.InvokeAsync(payload, subject.Timeout).ConfigureAwait(false);
            durations.Add(result.Duration.TotalMilliseconds);
            var answer = Answer(result);
            answers[answer] = answers.GetValueOrDefault(answer) + 1;
        }

        var cpuMs = (process.CpuTime() - cpuBefore).TotalMilliseconds / Math.Max(1, invocations);
        var pingDurations = new List<double>(pings);
        for (var i = 0; i < pings; i++)
        {
            var result = await process.InvokeAsync(BenchEvents.WarmUpPing, subject.Timeout).ConfigureAwait(false);
            if (result.IsError)
            {
                throw new InvalidOperationException($"{subject.Label}: a warm-up ping failed: {result.Text}\n{process.LastOutput}");
            }

            pingDurations.Add(result.Duration.TotalMicroseconds);
        }

        return new WarmSession(durations, pingDurations, cpuMs, process.PeakRssMiB(), answers);
    }

    /// <summary>
    /// What the function answered, in one word: an HTTP function's status code, a batch's failure count, <c>ok</c>,
    /// or the Runtime API's error. Reported beside the numbers, so that a fast error is never mistaken for fast work.
    /// </summary>
    public static string Answer(InvocationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.IsError)
        {
            return $"{result.Outcome.ToString().ToLowerInvariant()}:{result.ErrorType}";
        }

        try
        {
            using var json = JsonDocument.Parse(result.Body);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (json.RootElement.TryGetProperty("statusCode", out var status))
                {
                    return status.ToString();
                }

                if (json.RootElement.TryGetProperty("batchItemFailures", out var failures) && failures.ValueKind == JsonValueKind.Array)
                {
                    return failures.GetArrayLength() == 0 ? "ok" : $"{failures.GetArrayLength()} failed";
                }
            }
        }
        catch (JsonException)
        {
            // not JSON: answered all the same
        }

        return "ok";
    }
}
