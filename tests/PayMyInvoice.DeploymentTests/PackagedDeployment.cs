using System.Diagnostics;
using System.Text.Json.Nodes;
using PayMyInvoice.Local;

namespace PayMyInvoice.DeploymentTests;

/// <summary>
/// The deployment as scripts/package.sh leaves it in .serverless/, for the stage the tests check (prod: the one with
/// every resource, the warmer included). Packages first when there is no package yet, or one older than what it is
/// made from, so the checks never read a stale template.
/// </summary>
public sealed class PackagedDeployment : IAsyncLifetime
{
    public const string Stage = "prod";

    public static string Root { get; } = RepositoryRoot.Find();

    public TemplateChecks Checks { get; private set; } = null!;

    public JsonObject Template { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var templatePath = Path.Combine(Root, ".serverless", "cloudformation-template-update-stack.json");
        if (!IsCurrent(templatePath))
        {
            var (exitCode, output) = await RunAsync(Root, Path.Combine(Root, "scripts", "package.sh"), "--stage", Stage);
            Assert.True(exitCode == 0, $"scripts/package.sh failed:\n{output}");
        }

        (Template, Checks) = Load(Root);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The template and checks of a packaged service directory; artifacts are read where serverless-state.json says.</summary>
    public static (JsonObject Template, TemplateChecks Checks) Load(string serviceDirectory)
    {
        var template = JsonNode.Parse(File.ReadAllText(Path.Combine(serviceDirectory, ".serverless", "cloudformation-template-update-stack.json")))!.AsObject();
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(serviceDirectory, ".serverless", "serverless-state.json")))!;
        var artifacts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, function) in state["service"]!["functions"]!.AsObject())
        {
            var artifact = function!["package"]?["artifact"]?.GetValue<string>();
            var logicalId = FunctionLogicalId(name);
            artifacts[logicalId] = artifact is null
                ? Path.Combine(serviceDirectory, ".serverless", Path.GetFileName(template["Resources"]![logicalId]?["Properties"]?["Code"]?["S3Key"]?.GetValue<string>() ?? ""))
                : Path.Combine(serviceDirectory, artifact);
        }

        return (template, new TemplateChecks(template, id => artifacts.GetValueOrDefault(id) ?? $"(no artifact for {id})"));
    }

    /// <summary>The framework's logical id for a function: <c>getInvoice</c> → <c>GetInvoiceLambdaFunction</c> ('-' becomes "Dash").</summary>
    public static string FunctionLogicalId(string name) =>
        char.ToUpperInvariant(name[0]) + name[1..].Replace("-", "Dash", StringComparison.Ordinal) + "LambdaFunction";

    public static async Task<(int ExitCode, string Output)> RunAsync(string directory, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE" })
        {
            start.Environment.Remove(name); // packaging must work without credentials
        }

        start.Environment["NPM_CONFIG_UPDATE_NOTIFIER"] = "false";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static bool IsCurrent(string templatePath)
    {
        if (!File.Exists(templatePath))
        {
            return false;
        }

        var statePath = Path.Combine(Path.GetDirectoryName(templatePath)!, "serverless-state.json");
        if (!File.Exists(statePath) || JsonNode.Parse(File.ReadAllText(statePath))?["service"]?["provider"]?["stage"]?.GetValue<string>() != Stage)
        {
            return false;
        }

        var packaged = File.GetLastWriteTimeUtc(templatePath);
        var sources = new[] { "serverless.yml", "package-lock.json" }.Select(f => Path.Combine(Root, f))
            .Concat(Directory.GetFiles(Path.Combine(Root, "resources")))
            .Concat(Directory.GetFiles(Path.Combine(Root, "plugins")));
        return sources.All(f => File.GetLastWriteTimeUtc(f) <= packaged);
    }
}

[CollectionDefinition(Name)]
public sealed class PackagedDeploymentCollection : ICollectionFixture<PackagedDeployment>
{
    public const string Name = "packaged deployment";
}
