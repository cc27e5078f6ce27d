using System.Globalization;

namespace PayMyInvoice.Local.Serverless;

/// <summary>
/// serverless-plugin-warmup's settings: the warmers and which functions they ping. The local stack does not need these;
/// the cost model (bench/) does.
/// </summary>
public sealed partial class ServerlessConfig
{
    /// <summary>The function's <c>warmup:</c> blocks, one per warmer it names (the plugin's default warmer is "default").</summary>
    public IReadOnlyList<FunctionWarmUp> WarmUp(string name)
    {
        var function = Path($"functions.{name}") as Dictionary<string, object?>
            ?? throw new KeyNotFoundException($"serverless.yml has no function '{name}'; it has: {string.Join(", ", FunctionNames)}.");
        var warmers = function.GetValueOrDefault("warmup") as Dictionary<string, object?> ?? [];
        return warmers.Select(pair => (Warmer: pair.Key, Settings: pair.Value as Dictionary<string, object?> ?? []))
            .Select(w => new FunctionWarmUp(
                w.Warmer,
                w.Settings.GetValueOrDefault("enabled") as string,
                w.Settings.GetValueOrDefault("enabled") is string enabled && bool.TryParse(ResolveString(enabled), out var on) && on,
                w.Settings.GetValueOrDefault("concurrency") is string concurrency ? int.Parse(ResolveString(concurrency), CultureInfo.InvariantCulture) : null))
            .ToList();
    }

    /// <summary>The names of the warmers under <c>custom.warmup</c>.</summary>
    public IReadOnlyList<string> WarmerNames => (Path("custom.warmup") as Dictionary<string, object?>)?.Keys.ToList() ?? [];

    /// <summary>
    /// A warmer under <c>custom.warmup</c>, with serverless-plugin-warmup 8.x's defaults for what it leaves out
    /// (node_modules/serverless-plugin-warmup/src/config.js: 128 MB, 10 s, rate(5 minutes), concurrency 1, disabled;
    /// the warmer runs on nodejs24.x and on the provider's architecture).
    /// </summary>
    public WarmerSettings Warmer(string name)
    {
        var warmer = Path($"custom.warmup.{name}") as Dictionary<string, object?>
            ?? throw new KeyNotFoundException($"serverless.yml has no warmer '{name}' under custom.warmup.");
        string Setting(string key, string fallback) => ResolveString(warmer.GetValueOrDefault(key) as string ?? fallback);
        var schedules = (warmer.GetValueOrDefault("events") as List<object?> ?? [])
            .Select(e => (e as Dictionary<string, object?>)?.GetValueOrDefault("schedule"))
            .Select(s => s switch
            {
                string rate => ResolveString(rate),
                Dictionary<string, object?> map => ResolveString(map.GetValueOrDefault("rate") as string ?? ""),
                _ => "",
            })
            .Where(s => s.Length > 0)
            .ToList();
        return new WarmerSettings(
            name,
            bool.TryParse(Setting("enabled", "false"), out var enabled) && enabled,
            schedules.Count == 0 ? ["rate(5 minutes)"] : schedules,
            int.Parse(Setting("concurrency", "1"), CultureInfo.InvariantCulture),
            int.Parse(Setting("memorySize", "128"), CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(int.Parse(Setting("timeout", "10"), CultureInfo.InvariantCulture)),
            Setting("architecture", Path("provider.architecture") as string ?? "x86_64"));
    }
}

/// <summary>
/// A function's <c>warmup.&lt;warmer&gt;</c> block: <see cref="EnabledExpression"/> as written (e.g. <c>${param:warmup}</c>),
/// <see cref="Enabled"/> as it resolves for this stage, and its own concurrency if it sets one.
/// </summary>
public sealed record FunctionWarmUp(string Warmer, string? EnabledExpression, bool Enabled, int? Concurrency);

/// <summary>A serverless-plugin-warmup warmer: its schedules, the pings per function per run, and the warmer Lambda's own size.</summary>
public sealed record WarmerSettings(string Name, bool EnabledByDefault, IReadOnlyList<string> Schedules, int Concurrency, int MemorySizeMb, TimeSpan Timeout, string Architecture);
