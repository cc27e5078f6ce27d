using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Bench.Cost;

/// <summary>The Lambda part of a month: each function's requests and billed GB-s, the warm-up pings, and the warmer itself.</summary>
internal static class LambdaBill
{
    /// <summary>
    /// The warmer (Node.js 24, not measured by the bench): a warm run creates its Lambda client and awaits one
    /// RequestResponse invoke per warmed function in parallel; about this many ms plus the slowest ping's round trip.
    /// </summary>
    public const double WarmerBaseMs = 60;

    /// <summary>A Lambda Invoke round trip in-region, on top of the pinged function's own duration.</summary>
    public const double InvokeRoundTripMs = 20;

    /// <summary>The warmer's INIT (Node.js runtime + AWS SDK v3 client) at 128 MB.</summary>
    public const double WarmerInitMs = 300;

    public static (IReadOnlyList<FunctionCost> Functions, decimal WarmUpCost, decimal Total, List<string> Notes) For(
        ServerlessConfig config, IReadOnlyDictionary<string, MeasuredFunction> measured, Workload workload, bool warmUp)
    {
        var rows = new List<FunctionCost>();
        var notes = new List<string>();
        var gbSecondsByArchitecture = new Dictionary<string, double>(StringComparer.Ordinal);
        double requests = 0;
        decimal warmUpCost = 0;
        var slowestPingMs = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var name in config.FunctionNames)
        {
            var sizing = config.Function(name);
            var invocations = workload.Invocations.GetValueOrDefault(name);
            var warmers = warmUp ? WarmersOf(config, name) : [];
            if (!measured.TryGetValue(name, out var m))
            {
                if (invocations > 0 || warmers.Count > 0)
                {
                    notes.Add($"{name}: not measured, its Lambda cost is left out");
                }

                continue;
            }

            if (invocations <= 0 && warmers.Count == 0)
            {
                continue; // a route the traffic model does not use (update, delete, void, fees)
            }

            var memory = sizing.MemorySize;
            var warmMs = ColdStarts.WarmMs(m, memory) + workload.ExtraMsPerRun.GetValueOrDefault(name);
            if (warmMs > config.Function(name).Timeout.TotalMilliseconds)
            {
                // Priced as if it ran to the end: the run would be cut at its timeout and its work left for the next run.
                notes.Add(FormattableString.Invariant($"{name}: a modelled run of {warmMs / 1000:0} s exceeds its {config.Function(name).Timeout.TotalSeconds:0} s timeout"));
            }

            var billedWarmMs = Math.Ceiling(warmMs); // Lambda rounds each invocation up to the next 1 ms
            var coldExtraMs = Math.Max(0, Math.Ceiling(ColdStarts.ColdMs(m, memory)) - billedWarmMs);
            var pingMs = Math.Max(1, Math.Ceiling(m.WarmUpPingUs / 1000 * ColdStarts.CpuSlowdown(memory)));
            var pings = warmers.Sum(w => w.PingsPerMonth);
            var cold = ColdStarts.PerMonth(invocations, warmMs, workload.SchedulePeriods.TryGetValue(name, out var period) ? period : null, warmers.Sum(w => w.Concurrency));
            var billedMs = (invocations * billedWarmMs) + (cold * coldExtraMs) + (pings * pingMs);
            var gbSeconds = billedMs / 1000 * memory / 1024;
            gbSecondsByArchitecture[sizing.Architecture] = gbSecondsByArchitecture.GetValueOrDefault(sizing.Architecture) + gbSeconds;
            requests += invocations + pings;
            foreach (var w in warmers)
            {
                slowestPingMs[w.Warmer] = Math.Max(slowestPingMs.GetValueOrDefault(w.Warmer), pingMs);
                warmUpCost += (decimal)w.PingsPerMonth * (Prices.LambdaPerRequest + ((decimal)(pingMs / 1000 * memory / 1024) * TierOnePrice(sizing.Architecture)));
            }

            var cost = ((decimal)(invocations + pings) * Prices.LambdaPerRequest) + ((decimal)gbSeconds * TierOnePrice(sizing.Architecture));
            rows.Add(new FunctionCost(name, memory, sizing.Architecture, invocations, cold, pings, gbSeconds, cost));
        }

        // The warmer Lambda of each warmer that pings something.
        foreach (var (warmerName, pingMs) in slowestPingMs)
        {
            var warmer = config.Warmer(warmerName);
            var runs = warmer.Schedules.Sum(Workload.RunsPerMonth);
            var runMs = Math.Ceiling(WarmerBaseMs + InvokeRoundTripMs + pingMs);
            var cold = ColdStarts.PerMonth(runs, runMs, TimeSpan.FromSeconds(Traffic.SecondsPerMonth / runs), 0);
            var gbSeconds = ((runs * runMs) + (cold * WarmerInitMs)) / 1000 * warmer.MemorySizeMb / 1024;
            gbSecondsByArchitecture[warmer.Architecture] = gbSecondsByArchitecture.GetValueOrDefault(warmer.Architecture) + gbSeconds;
            requests += runs;
            var cost = ((decimal)runs * Prices.LambdaPerRequest) + ((decimal)gbSeconds * TierOnePrice(warmer.Architecture));
            warmUpCost += cost;
            rows.Add(new FunctionCost($"warmer:{warmerName}", warmer.MemorySizeMb, warmer.Architecture, runs, cold, 0, gbSeconds, cost));
        }

        // The bill applies the GB-s tiers to the account's month per architecture; the rows above price at the first tier.
        var total = ((decimal)requests * Prices.LambdaPerRequest) + gbSecondsByArchitecture.Sum(a => Prices.LambdaDuration(a.Value, a.Key));
        return (rows, warmUpCost, total, notes);
    }

    private static decimal TierOnePrice(string architecture) =>
        string.Equals(architecture, "arm64", StringComparison.Ordinal) ? Prices.LambdaArmTier1PerGbSecond : Prices.LambdaX86Tier1PerGbSecond;

    /// <summary>
    /// The warmers that ping a function when warm-up is on: those whose block on the function is enabled for this stage
    /// or by a stage parameter (<c>${param:warmup}</c>, true in prod), and those enabled for every function by default
    /// that the function does not turn off.
    /// </summary>
    private static List<(string Warmer, int Concurrency, double PingsPerMonth)> WarmersOf(ServerlessConfig config, string function)
    {
        var found = new List<(string, int, double)>();
        foreach (var warmerName in config.WarmerNames)
        {
            var warmer = config.Warmer(warmerName);
            var own = config.WarmUp(function).FirstOrDefault(w => w.Warmer == warmerName);
            var on = own is null
                ? warmer.EnabledByDefault
                : own.Enabled || (own.EnabledExpression?.Contains("${param:", StringComparison.Ordinal) ?? false);
            if (on)
            {
                var concurrency = own?.Concurrency ?? warmer.Concurrency;
                found.Add((warmerName, concurrency, warmer.Schedules.Sum(Workload.RunsPerMonth) * concurrency));
            }
        }

        return found;
    }
}
