using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Bench;

/// <summary>
/// One way a function ships: <c>aot</c> (the Native AOT <c>bootstrap</c>), <c>r2r</c> (the runtime and the app as one
/// self-contained composite ReadyToRun image, its apphost the <c>bootstrap</c>) or <c>jit</c> (the managed dotnet10
/// runtime running the assembly, no ReadyToRun code of ours), from a directory <c>scripts/bench.sh</c> prepared.
/// </summary>
public sealed record FunctionBuild(string Function, string Build, string Directory, string Deployable, long ZipBytes, bool Packaged)
{
    /// <summary>What the runtime starts: a <c>bootstrap</c> as provided.al2023 does, or <c>dotnet exec</c> on the assembly as the dotnet10 runtime does.</summary>
    public (string FileName, string[] Arguments) Command => File.Exists(Path.Combine(Directory, "bootstrap"))
        ? (Path.Combine(Directory, "bootstrap"), [])
        : ("dotnet", ["exec", Path.Combine(Directory, $"PayMyInvoice.{AssemblyOf(Deployable)}.dll")]);

    public string Label => $"{Function} ({Build})";

    private static string AssemblyOf(string deployable) => deployable switch
    {
        "api" => "Api",
        "workers" => "Workers",
        "billing" => "Billing",
        _ => throw new ArgumentException($"unknown deployable {deployable}", nameof(deployable)),
    };
}

/// <summary>
/// Every build the benchmark runs, from serverless.yml: each function as it is packaged (AOT, or ReadyToRun for the
/// Stripe.net ones, whose deployable has no AOT build), those also as plain JIT, and <c>getInvoice</c> and
/// <c>invoiceStream</c> also as JIT and ReadyToRun for comparison with their AOT build.
/// </summary>
public static class BuildCatalog
{
    public static readonly string[] ManagedComparisons = ["getInvoice", "invoiceStream"];

    /// <param name="builds">artifacts/bench/builds: one directory and one zip per deployable and build, e.g. api-aot.</param>
    public static IReadOnlyList<FunctionBuild> Load(ServerlessConfig config, string builds, IReadOnlyCollection<string>? only = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var list = new List<FunctionBuild>();
        foreach (var name in config.FunctionNames.Where(n => only is null || only.Contains(n)))
        {
            var function = config.Function(name);
            var deployable = Path.GetFileNameWithoutExtension(function.Artifact
                ?? throw new InvalidDataException($"serverless.yml: {name} has no package.artifact"));
            var kinds = !System.IO.Directory.Exists(Path.Combine(builds, $"{deployable}-aot"))
                ? new[] { ("r2r", true), ("jit", false) }
                : ManagedComparisons.Contains(name) ? new[] { ("aot", true), ("r2r", false), ("jit", false) } : [("aot", true)];
            foreach (var (kind, packaged) in kinds)
            {
                var directory = Path.Combine(builds, $"{deployable}-{kind}");
                var zip = directory + ".zip";
                if (!System.IO.Directory.Exists(directory) || !File.Exists(zip))
                {
                    throw new FileNotFoundException($"{directory}(.zip) is missing: run scripts/bench.sh, which builds it.");
                }

                list.Add(new FunctionBuild(name, kind, directory, deployable, new FileInfo(zip).Length, packaged));
            }
        }

        return list;
    }
}
