using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PayMyInvoice.DeploymentTests;

/// <summary>
/// What a packaged deployment must hold before anyone deploys it, checked on the CloudFormation template osls wrote
/// and on the zips it points at. Each check returns its violations as sentences (empty: it holds), so a test can
/// show that the real package passes and that a deliberately broken one fails the matching check.
/// </summary>
public sealed partial class TemplateChecks(JsonObject template, Func<string, string> artifactPath)
{
    public const long MaxZippedBytes = 50L * 1024 * 1024;
    public const long MaxUnzippedBytes = 250L * 1024 * 1024;
    public const int MaxEnvironmentBytes = 4 * 1024;

    /// <summary>Where AWS offers no narrower resource for an action: none is needed today.</summary>
    private static readonly HashSet<string> ActionsAllowedOnAnyResource = new(StringComparer.Ordinal);

    private static readonly HashSet<string> PseudoParameters = new(StringComparer.Ordinal)
    {
        "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
    };

    public JsonObject Resources => template["Resources"]!.AsObject();

    public IEnumerable<(string LogicalId, JsonObject Properties)> OfType(string type) =>
        Resources.Where(r => r.Value!["Type"]!.GetValue<string>() == type).Select(r => (r.Key, r.Value!["Properties"]?.AsObject() ?? []));

    /// <summary>Every Ref, Fn::GetAtt, Fn::Sub ${X} and Condition names something the template has.</summary>
    public IReadOnlyList<string> UnresolvedReferences()
    {
        var known = Resources.Select(r => r.Key).Concat(template["Parameters"]?.AsObject().Select(p => p.Key) ?? []).ToHashSet(StringComparer.Ordinal);
        var conditions = template["Conditions"]?.AsObject().Select(c => c.Key).ToHashSet(StringComparer.Ordinal) ?? [];
        var problems = new List<string>();
        void Check(string where, string target)
        {
            if (!known.Contains(target) && !PseudoParameters.Contains(target))
            {
                problems.Add($"{where} refers to '{target}', which is not in the template");
            }
        }

        foreach (var (where, node) in Walk(template, ""))
        {
            if (node is not JsonObject map)
            {
                continue;
            }

            if (map["Ref"] is JsonValue reference)
            {
                Check(where, reference.GetValue<string>());
            }

            if (map["Fn::GetAtt"] is JsonNode getAtt)
            {
                Check(where, getAtt is JsonArray pair ? pair[0]!.GetValue<string>() : getAtt.GetValue<string>().Split('.')[0]);
            }

            if (map["Fn::Sub"] is JsonNode sub)
            {
                var text = sub is JsonArray withVariables ? withVariables[0]!.GetValue<string>() : sub.GetValue<string>();
                var local = sub is JsonArray list && list.Count > 1 ? list[1]!.AsObject().Select(v => v.Key).ToHashSet(StringComparer.Ordinal) : [];
                foreach (Match match in SubVariable().Matches(text))
                {
                    var name = match.Groups[1].Value;
                    if (!local.Contains(name))
                    {
                        Check(where, name.Split('.')[0]);
                    }
                }
            }

            if (map["Condition"] is JsonValue condition && condition.TryGetValue<string>(out var conditionName) && !conditions.Contains(conditionName))
            {
                problems.Add($"{where} uses the condition '{conditionName}', which is not in the template");
            }
        }

        return problems;
    }

    /// <summary>Every SQS or stream event source reports partial batch failures.</summary>
    public IReadOnlyList<string> EventSourcesWithoutBatchItemFailures() =>
        OfType("AWS::Lambda::EventSourceMapping")
            .Where(m => m.Properties["FunctionResponseTypes"] is not JsonArray types || !types.Any(t => t!.GetValue<string>() == "ReportBatchItemFailures"))
            .Select(m => $"{m.LogicalId} does not report batch item failures")
            .ToList();

    /// <summary>Every queue a function consumes has a dead-letter queue with maxReceiveCount, and a visibility timeout of at least six times the function's timeout.</summary>
    public IReadOnlyList<string> ConsumedQueuesWithoutSafeRedrive()
    {
        var problems = new List<string>();
        foreach (var (id, mapping) in OfType("AWS::Lambda::EventSourceMapping"))
        {
            if (LogicalIdOf(mapping["EventSourceArn"]) is not { } queueId || Resources[queueId]?["Type"]?.GetValue<string>() != "AWS::SQS::Queue")
            {
                continue;
            }

            var queue = Resources[queueId]!["Properties"]!.AsObject();
            var function = Resources[LogicalIdOf(mapping["FunctionName"])!]!["Properties"]!.AsObject();
            var timeout = function["Timeout"]?.GetValue<int>() ?? 3;
            var visibility = queue["VisibilityTimeout"] is JsonNode v ? int.Parse(v.ToString(), System.Globalization.CultureInfo.InvariantCulture) : 30;
            if (queue["RedrivePolicy"] is not JsonObject redrive || redrive["deadLetterTargetArn"] is null || redrive["maxReceiveCount"] is null)
            {
                problems.Add($"{queueId}, consumed by {id}, has no dead-letter queue with maxReceiveCount");
            }

            if (visibility < 6 * timeout)
            {
                problems.Add($"{queueId}'s visibility timeout {visibility} s is less than six times its consumer's timeout ({timeout} s)");
            }
        }

        return problems;
    }

    /// <summary>No Allow statement grants a wildcard action, or any resource ("*") where AWS offers a narrower one.</summary>
    public IReadOnlyList<string> OverbroadStatements()
    {
        var problems = new List<string>();
        foreach (var (where, statement) in AllowStatements())
        {
            foreach (var action in Strings(statement["Action"]))
            {
                if (action == "*" || action.EndsWith(":*", StringComparison.Ordinal))
                {
                    problems.Add($"{where} allows every action ('{action}')");
                }
            }

            if (Strings(statement["Resource"]).Contains("*") && !Strings(statement["Action"]).All(ActionsAllowedOnAnyResource.Contains))
            {
                problems.Add($"{where} allows {string.Join(", ", Strings(statement["Action"]))} on every resource ('*')");
            }

            if (statement["NotAction"] is not null || statement["NotResource"] is not null)
            {
                problems.Add($"{where} allows by exclusion (NotAction/NotResource)");
            }
        }

        return problems;
    }

    /// <summary>The names of the resources a function's role may act on (Ref, GetAtt and Fn::Sub targets).</summary>
    public IReadOnlySet<string> ResourcesReachableBy(string functionLogicalId)
    {
        var role = LogicalIdOf(Resources[functionLogicalId]!["Properties"]!["Role"]) ?? throw new InvalidDataException($"{functionLogicalId} has no role of its own");
        return AllowStatements(role)
            .SelectMany(s => Walk(s.Statement["Resource"], ""))
            .Select(n => n.Node is JsonObject map ? LogicalIdOf(map) : null)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Functions that share a role (each should have exactly its own).</summary>
    public IReadOnlyList<string> SharedRoles() =>
        OfType("AWS::Lambda::Function")
            .GroupBy(f => f.Properties["Role"]?.ToJsonString() ?? "none")
            .Where(g => g.Count() > 1)
            .Select(g => $"{string.Join(", ", g.Select(f => f.LogicalId))} share the role {g.Key}")
            .ToList();

    /// <summary>Values that look like secrets: Stripe keys, webhook secrets, AWS access keys, passwords in environment variables.</summary>
    public IReadOnlyList<string> SecretLookingValues()
    {
        var problems = new List<string>();
        foreach (var (where, node) in Walk(template, ""))
        {
            if (node is JsonValue value && value.TryGetValue<string>(out var text) && SecretValue().IsMatch(text))
            {
                problems.Add($"{where} holds a secret-looking value");
            }
        }

        foreach (var (id, function) in OfType("AWS::Lambda::Function"))
        {
            foreach (var (name, _) in function["Environment"]?["Variables"]?.AsObject() ?? [])
            {
                if (SecretName().IsMatch(name) && !name.EndsWith("_SSM_PARAMETER", StringComparison.Ordinal))
                {
                    problems.Add($"{id} has the secret {name} in its environment; pass the SSM parameter's name ({name}_SSM_PARAMETER) instead");
                }
            }
        }

        return problems;
    }

    /// <summary>Each function's handler is in its zip: an executable bootstrap for provided.*, the handler's assembly for dotnet*.</summary>
    public IReadOnlyList<string> MissingHandlers()
    {
        var problems = new List<string>();
        foreach (var (id, function) in OfType("AWS::Lambda::Function"))
        {
            var runtime = function["Runtime"]!.GetValue<string>();
            var handler = function["Handler"]!.GetValue<string>();
            var zip = artifactPath(id);
            if (!File.Exists(zip))
            {
                problems.Add($"{id}'s artifact {zip} does not exist");
                continue;
            }

            using var archive = ZipFile.OpenRead(zip);
            if (runtime.StartsWith("provided", StringComparison.Ordinal))
            {
                var bootstrap = archive.GetEntry("bootstrap");
                if (bootstrap is null || ((bootstrap.ExternalAttributes >> 16) & 0b001_001_001) == 0)
                {
                    problems.Add($"{id} ({runtime}) has no executable bootstrap in {Path.GetFileName(zip)}");
                }
            }
            else if (runtime.StartsWith("dotnet", StringComparison.Ordinal))
            {
                // Executable mode: the managed runtime runs `dotnet exec <handler>.dll`.
                if (archive.GetEntry(handler + ".dll") is null || archive.GetEntry(handler + ".runtimeconfig.json") is null)
                {
                    problems.Add($"{id} ({runtime}) has no {handler}.dll with its runtimeconfig in {Path.GetFileName(zip)}");
                }
            }
        }

        return problems;
    }

    /// <summary>Lambda's limits: 4 KB of environment variables per function, 50 MB zipped, 250 MB unzipped.</summary>
    public IReadOnlyList<string> LimitsExceeded()
    {
        var problems = new List<string>();
        foreach (var (id, function) in OfType("AWS::Lambda::Function"))
        {
            var environment = function["Environment"]?["Variables"]?.AsObject() ?? [];
            var bytes = environment.Sum(v => System.Text.Encoding.UTF8.GetByteCount(v.Key) + System.Text.Encoding.UTF8.GetByteCount(v.Value?.ToJsonString() ?? ""));
            if (bytes > MaxEnvironmentBytes)
            {
                problems.Add($"{id}'s environment is {bytes} bytes (Lambda allows {MaxEnvironmentBytes})");
            }

            if (File.Exists(artifactPath(id)))
            {
                var (zipped, unzipped) = Sizes(artifactPath(id));
                if (zipped > MaxZippedBytes || unzipped > MaxUnzippedBytes)
                {
                    problems.Add($"{id}'s artifact is {zipped} bytes zipped, {unzipped} unzipped (Lambda allows 50 MB and 250 MB)");
                }
            }
        }

        return problems;
    }

    public static (long Zipped, long Unzipped) Sizes(string zip)
    {
        using var archive = ZipFile.OpenRead(zip);
        return (new FileInfo(zip).Length, archive.Entries.Sum(e => e.Length));
    }

    private IEnumerable<(string Where, JsonObject Statement)> AllowStatements(string? onlyResource = null)
    {
        foreach (var (id, resource) in Resources)
        {
            if (onlyResource is not null && id != onlyResource)
            {
                continue;
            }

            var properties = resource!["Properties"];
            var documents = resource["Type"]!.GetValue<string>() switch
            {
                "AWS::IAM::Role" => (properties?["Policies"]?.AsArray() ?? []).Select(p => (p!["PolicyName"]?.ToString() ?? "", p["PolicyDocument"])),
                "AWS::IAM::Policy" or "AWS::IAM::ManagedPolicy" => [("", properties?["PolicyDocument"])],
                _ => [],
            };
            foreach (var (policy, document) in documents)
            {
                var statements = document?["Statement"] is JsonArray list ? list.Select(s => s!.AsObject()) : document?["Statement"] is JsonObject one ? [one] : [];
                foreach (var statement in statements.Where(s => s["Effect"]?.GetValue<string>() == "Allow"))
                {
                    yield return ($"{id}/{policy}", statement);
                }
            }
        }
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray list => list.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : "").Where(s => s.Length > 0),
        JsonValue value when value.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    /// <summary>The logical id a Ref or Fn::GetAtt (or a ${X} / ${X.Arn} Fn::Sub) points at.</summary>
    private static string? LogicalIdOf(JsonNode? node) => node switch
    {
        JsonObject map when map["Ref"] is JsonValue r => r.GetValue<string>(),
        JsonObject map when map["Fn::GetAtt"] is JsonArray a => a[0]!.GetValue<string>(),
        JsonObject map when map["Fn::Sub"] is JsonValue s && SubVariable().Match(s.GetValue<string>()) is { Success: true } m && !m.Groups[1].Value.StartsWith("AWS::", StringComparison.Ordinal) => m.Groups[1].Value.Split('.')[0],
        _ => null,
    };

    private static IEnumerable<(string Where, JsonNode? Node)> Walk(JsonNode? node, string where)
    {
        yield return (where, node);
        IEnumerable<(string, JsonNode?)> children = node switch
        {
            JsonObject map => map.Select(p => ($"{where}/{p.Key}", p.Value)),
            JsonArray list => list.Select((n, i) => ($"{where}[{i}]", n)),
            _ => [],
        };
        foreach (var (path, child) in children)
        {
            foreach (var item in Walk(child, path))
            {
                yield return item;
            }
        }
    }

    // ${Name} or ${Name.Attribute} in Fn::Sub; ${!Literal} is not a reference.
    [GeneratedRegex(@"\$\{([A-Za-z0-9:._]+)\}")]
    private static partial Regex SubVariable();

    [GeneratedRegex(@"(sk|rk|pk)_(live|test)_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9]{8,}|AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----")]
    private static partial Regex SecretValue();

    [GeneratedRegex(@"SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
