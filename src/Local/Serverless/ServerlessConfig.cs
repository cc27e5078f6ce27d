using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace PayMyInvoice.Local.Serverless;

/// <summary>
/// serverless.yml as the local stack needs it: functions with their resolved environment and HTTP routes, and the
/// CloudFormation resources. Resolves the variables the file uses: <c>${self:path}</c>, <c>${sls:stage}</c>,
/// <c>${opt:name, 'default'}</c>, <c>${env:NAME, 'default'}</c>, <c>${param:name, 'default'}</c> (from the file's
/// <c>params</c>, per stage), <c>${aws:region}</c> and <c>${aws:accountId}</c>; includes <c>${file(path)}</c> where a
/// whole value is one; merges a <c>resources</c> list the way the framework does; and names the ARNs that
/// <c>Ref</c> and <c>Fn::GetAtt</c> stand for in a function's environment.
/// </summary>
public sealed partial class ServerlessConfig
{
    private readonly Dictionary<string, object?> _root;
    private readonly IReadOnlyDictionary<string, string> _options;

    private ServerlessConfig(Dictionary<string, object?> root, IReadOnlyDictionary<string, string> options)
    {
        _root = root;
        _options = options;
        Service = RequiredString("service");
        Stage = ResolveString(Path("provider.stage") as string ?? "dev");
        Region = ResolveString(Path("provider.region") as string ?? "us-east-1");
    }

    /// <summary>The account fauxqs puts into the ARNs it makes; <c>${aws:accountId}</c> resolves to it locally.</summary>
    public const string LocalAccountId = "000000000000";

    public string Service { get; }
    public string Stage { get; }
    public string Region { get; }

    public static ServerlessConfig Load(string path, IReadOnlyDictionary<string, string>? options = null)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            yaml.Load(reader);
        }

        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var root = IncludeFiles(ToTree(yaml.Documents[0].RootNode), directory) as Dictionary<string, object?>
            ?? throw new InvalidDataException($"{path}: the top level is not a mapping.");
        if (root.GetValueOrDefault("resources") is List<object?> parts)
        {
            root["resources"] = MergeResources(parts);
        }

        return new ServerlessConfig(root, options ?? new Dictionary<string, string>());
    }

    /// <summary>Replaces every value that is exactly <c>${file(relative path)}</c> (or <c>${file(path):key.key}</c>) with that YAML file's tree.</summary>
    private static object? IncludeFiles(object? node, string directory) => node switch
    {
        string text when FileReference().Match(text) is { Success: true } match => IncludeFiles(
            Select(ReadYaml(System.IO.Path.Combine(directory, match.Groups[1].Value.Trim())), match.Groups[2].Value), directory),
        Dictionary<string, object?> map => map.ToDictionary(pair => pair.Key, pair => IncludeFiles(pair.Value, directory), StringComparer.Ordinal),
        List<object?> list => list.Select(item => IncludeFiles(item, directory)).ToList(),
        _ => node,
    };

    private static object? Select(object? tree, string dotted)
    {
        foreach (var part in dotted.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            tree = (tree as Dictionary<string, object?>)?.GetValueOrDefault(part);
        }

        return tree;
    }

    private static object? ReadYaml(string path)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            yaml.Load(reader);
        }

        return yaml.Documents.Count == 0 ? null : ToTree(yaml.Documents[0].RootNode);
    }

    /// <summary>A <c>resources</c> list (inline parts and included files) as one: each section's entries merged, later ones winning.</summary>
    private static Dictionary<string, object?> MergeResources(List<object?> parts)
    {
        var merged = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var part in parts.OfType<Dictionary<string, object?>>())
        {
            foreach (var (section, entries) in part)
            {
                if (entries is Dictionary<string, object?> map)
                {
                    var target = merged.GetValueOrDefault(section) as Dictionary<string, object?> ?? new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var (key, value) in map)
                    {
                        target[key] = value;
                    }

                    merged[section] = target;
                }
            }
        }

        return merged;
    }

    public IReadOnlyList<string> FunctionNames =>
        (Path("functions") as Dictionary<string, object?>)?.Keys.ToList() ?? [];

    public ServerlessFunction Function(string name)
    {
        if ((Path("functions") as Dictionary<string, object?>)?.GetValueOrDefault(name) is not Dictionary<string, object?> function)
        {
            throw new KeyNotFoundException($"serverless.yml has no function '{name}'; it has: {string.Join(", ", FunctionNames)}.");
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in new[] { Path("provider.environment"), function.GetValueOrDefault("environment") })
        {
            foreach (var (key, value) in source as Dictionary<string, object?> ?? [])
            {
                environment[key] = WholeReference(value) switch
                {
                    // A URL CloudFormation builds at deploy time (the API's): the local stack supplies its own.
                    Dictionary<string, object?> intrinsic when intrinsic.ContainsKey("Fn::Sub") => $"<Fn::Sub:{ResolveString(intrinsic["Fn::Sub"] as string ?? "")}>",
                    Dictionary<string, object?> intrinsic => Arn(intrinsic),
                    _ => ResolveString(value as string ?? ""),
                };
            }
        }

        var timeout = function.GetValueOrDefault("timeout") as string ?? Path("provider.timeout") as string ?? "6";
        var routes = new List<HttpRoute>();
        var streams = new List<StreamSource>();
        var queues = new List<QueueSource>();
        var schedules = new List<ScheduleSource>();
        foreach (var item in function.GetValueOrDefault("events") as List<object?> ?? [])
        {
            var trigger = item as Dictionary<string, object?>;
            switch (trigger?.GetValueOrDefault("schedule"))
            {
                case string rate:
                    schedules.Add(new ScheduleSource(ResolveString(rate)));
                    break;
                case Dictionary<string, object?> schedule when schedule.GetValueOrDefault("enabled") as string != "false":
                    var input = schedule.GetValueOrDefault("input") is { } constant ? System.Text.Json.JsonSerializer.Serialize(ResolveTree(constant)) : null;
                    foreach (var rate in schedule.GetValueOrDefault("rate") is List<object?> rates ? rates.OfType<string>() : [schedule.GetValueOrDefault("rate") as string ?? ""])
                    {
                        schedules.Add(new ScheduleSource(ResolveString(rate), input));
                    }

                    break;
            }

            if (trigger?.GetValueOrDefault("http") is Dictionary<string, object?> http)
            {
                routes.Add(new HttpRoute(
                    ResolveString(http.GetValueOrDefault("method") as string ?? "get").ToUpperInvariant(),
                    "/" + ResolveString(http.GetValueOrDefault("path") as string ?? "").TrimStart('/'),
                    http.GetValueOrDefault("authorizer") as string == "aws_iam"));
            }

            if (trigger?.GetValueOrDefault("sqs") is Dictionary<string, object?> sqs)
            {
                var getAtt = (sqs.GetValueOrDefault("arn") as Dictionary<string, object?>)?.GetValueOrDefault("Fn::GetAtt") as List<object?>;
                queues.Add(new QueueSource(
                    getAtt?[0] as string ?? throw new InvalidDataException($"serverless.yml: {name}'s sqs arn must be Fn::GetAtt [Queue, Arn]."),
                    int.Parse(ResolveString(sqs.GetValueOrDefault("batchSize") as string ?? "10"), CultureInfo.InvariantCulture)));
            }

            if (trigger?.GetValueOrDefault("stream") is Dictionary<string, object?> stream)
            {
                // arn: { Fn::GetAtt: [TableLogicalId, StreamArn] } is the form the local stack understands.
                var getAtt = (stream.GetValueOrDefault("arn") as Dictionary<string, object?>)?.GetValueOrDefault("Fn::GetAtt") as List<object?>;
                var onFailure = ((((stream.GetValueOrDefault("destinations") as Dictionary<string, object?>)?.GetValueOrDefault("onFailure") as Dictionary<string, object?>)
                    ?.GetValueOrDefault("arn") as Dictionary<string, object?>)?.GetValueOrDefault("Fn::GetAtt") as List<object?>)?[0] as string;
                streams.Add(new StreamSource(
                    getAtt?[0] as string ?? throw new InvalidDataException($"serverless.yml: {name}'s stream arn must be Fn::GetAtt [Table, StreamArn]."),
                    int.Parse(ResolveString(stream.GetValueOrDefault("batchSize") as string ?? "100"), CultureInfo.InvariantCulture),
                    int.Parse(ResolveString(stream.GetValueOrDefault("maximumRetryAttempts") as string ?? "-1"), CultureInfo.InvariantCulture),
                    onFailure));
            }
        }

        return new ServerlessFunction(
            name,
            $"{Service}-{Stage}-{name}",
            environment,
            TimeSpan.FromSeconds(int.Parse(ResolveString(timeout), CultureInfo.InvariantCulture)),
            routes,
            streams,
            queues,
            schedules)
        {
            Runtime = ResolveString(function.GetValueOrDefault("runtime") as string ?? Path("provider.runtime") as string ?? "provided.al2023"),
            Architecture = ResolveString(function.GetValueOrDefault("architecture") as string ?? Path("provider.architecture") as string ?? "x86_64"),
            // The framework's default when neither the function nor the provider names a size.
            MemorySize = int.Parse(ResolveString(function.GetValueOrDefault("memorySize") as string ?? Path("provider.memorySize") as string ?? "1024"), CultureInfo.InvariantCulture),
            Artifact = ((function.GetValueOrDefault("package") as Dictionary<string, object?>)?.GetValueOrDefault("artifact") as string) is { } artifact ? ResolveString(artifact) : null,
        };
    }

    /// <summary>The <c>Properties</c> of every resource of the given CloudFormation type, variables resolved.</summary>
    public IReadOnlyList<(string LogicalId, Dictionary<string, object?> Properties)> ResourcesOfType(string type)
    {
        var found = new List<(string, Dictionary<string, object?>)>();
        foreach (var (logicalId, resource) in Path("resources.Resources") as Dictionary<string, object?> ?? [])
        {
            if (resource is Dictionary<string, object?> r && r.GetValueOrDefault("Type") as string == type
                && r.GetValueOrDefault("Properties") is Dictionary<string, object?> properties)
            {
                found.Add((logicalId, (Dictionary<string, object?>)ResolveTree(properties)!));
            }
        }

        return found;
    }

    /// <summary>A resource's type and resolved properties, by logical id.</summary>
    public (string Type, Dictionary<string, object?> Properties) Resource(string logicalId)
    {
        if ((Path("resources.Resources") as Dictionary<string, object?>)?.GetValueOrDefault(logicalId) is not Dictionary<string, object?> resource)
        {
            throw new KeyNotFoundException($"serverless.yml has no resource '{logicalId}'.");
        }

        return ((string)resource["Type"]!, (Dictionary<string, object?>)ResolveTree(resource.GetValueOrDefault("Properties") ?? new Dictionary<string, object?>())!);
    }

    /// <summary>The ARN a <c>Ref</c> (topic) or <c>Fn::GetAtt [X, Arn]</c> (queue, topic) stands for, as fauxqs names things.</summary>
    public string Arn(object? reference)
    {
        var map = reference as Dictionary<string, object?> ?? throw new InvalidDataException($"Not a Ref or Fn::GetAtt: {reference}");
        var logicalId = map.GetValueOrDefault("Ref") as string ?? ((map.GetValueOrDefault("Fn::GetAtt") as List<object?>)?[0] as string)
            ?? throw new InvalidDataException("Only Ref and Fn::GetAtt are understood locally.");
        var (type, properties) = Resource(logicalId);
        return type switch
        {
            "AWS::SNS::Topic" => $"arn:aws:sns:{Region}:{LocalAccountId}:{properties["TopicName"]}",
            "AWS::SQS::Queue" => $"arn:aws:sqs:{Region}:{LocalAccountId}:{properties["QueueName"]}",
            _ => throw new InvalidDataException($"The local stack cannot name the ARN of a {type}."),
        };
    }

    /// <summary>A value that is one <c>${self:...}</c> naming a map (an intrinsic kept in custom:) is that map, as the framework resolves it.</summary>
    private object? WholeReference(object? value) =>
        value is string text && text.StartsWith("${self:", StringComparison.Ordinal) && text.EndsWith('}') && text.IndexOf('}') == text.Length - 1
            && Path(text[7..^1]) is Dictionary<string, object?> map
            ? map
            : value;

    private object? Path(string dotted)
    {
        object? node = _root;
        foreach (var part in dotted.Split('.'))
        {
            node = (node as Dictionary<string, object?>)?.GetValueOrDefault(part);
        }

        return node;
    }

    private string RequiredString(string dotted) =>
        Path(dotted) is string value ? ResolveString(value) : throw new InvalidDataException($"serverless.yml: '{dotted}' is missing.");

    private object? ResolveTree(object? node) => node switch
    {
        string text => ResolveString(text),
        Dictionary<string, object?> map => map.ToDictionary(pair => pair.Key, pair => ResolveTree(pair.Value), StringComparer.Ordinal),
        List<object?> list => list.Select(ResolveTree).ToList(),
        _ => node,
    };

    /// <summary>Replaces the innermost <c>${...}</c> first until none is left, so references may nest.</summary>
    public string ResolveString(string value)
    {
        for (var depth = 0; depth < 20; depth++)
        {
            var next = Variable().Replace(value, match => ResolveVariable(match.Groups[1].Value));
            if (next == value)
            {
                return value;
            }

            value = next;
        }

        throw new InvalidDataException($"serverless.yml: variables nest too deep (a cycle?) in '{value}'.");
    }

    private string ResolveVariable(string expression)
    {
        var comma = expression.IndexOf(',', StringComparison.Ordinal);
        var reference = (comma < 0 ? expression : expression[..comma]).Trim();
        var fallback = comma < 0 ? null : expression[(comma + 1)..].Trim().Trim('\'', '"');
        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        var (source, key) = colon < 0 ? (reference, "") : (reference[..colon], reference[(colon + 1)..]);
        var resolved = source switch
        {
            "self" => Path(key) as string,
            "sls" when key == "stage" => Stage,
            "aws" when key == "region" => Region,
            "aws" when key == "accountId" => LocalAccountId,
            "opt" => _options.GetValueOrDefault(key),
            "env" => Environment.GetEnvironmentVariable(key),
            "ssm" => $"<ssm:{key}>", // no Parameter Store locally: the local stack supplies what these stand for
            "param" => Path($"params.{Stage}.{key}") as string ?? Path($"params.default.{key}") as string,
            _ => throw new InvalidDataException($"serverless.yml: the local stack does not resolve '${{{expression}}}'."),
        };
        return resolved ?? fallback ?? throw new InvalidDataException($"serverless.yml: '${{{expression}}}' has no value and no default.");
    }

    private static object? ToTree(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(
            pair => ((YamlScalarNode)pair.Key).Value ?? "", pair => ToTree(pair.Value), StringComparer.Ordinal),
        YamlSequenceNode list => list.Children.Select(ToTree).ToList(),
        YamlScalarNode scalar => scalar.Value,
        _ => null,
    };

    // Only the framework's own sources: ${AWS::Region} and ${Resource.Arn} belong to CloudFormation's Fn::Sub.
    [GeneratedRegex(@"\$\{((?:self|sls|opt|env|aws|ssm|param):[^{}]*)\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^\$\{file\(([^()]+)\)(?::([\w.]+))?\}$")]
    private static partial Regex FileReference();
}

public sealed record ServerlessFunction(
    string Name,
    string DeployedName,
    IReadOnlyDictionary<string, string> Environment,
    TimeSpan Timeout,
    IReadOnlyList<HttpRoute> HttpRoutes,
    IReadOnlyList<StreamSource> Streams,
    IReadOnlyList<QueueSource> Queues,
    IReadOnlyList<ScheduleSource>? Schedules = null)
{
    /// <summary>
    /// <c>provided.al2023</c> (a <c>bootstrap</c>: Native AOT, or the billing deployable's self-contained ReadyToRun
    /// apphost) or a managed runtime such as <c>dotnet10</c>.
    /// </summary>
    public string Runtime { get; init; } = "";

    public string Architecture { get; init; } = "x86_64";

    /// <summary>MB; Lambda gives CPU in proportion to it.</summary>
    public int MemorySize { get; init; } = 1024;

    /// <summary>The prebuilt zip, e.g. <c>artifacts/api.zip</c>.</summary>
    public string? Artifact { get; init; }
}

/// <summary>An EventBridge schedule: <c>rate(...)</c> or <c>cron(...)</c>, and the rule's constant input (JSON) if it has one.</summary>
public sealed record ScheduleSource(string Expression, string? Input = null);

/// <summary>An API Gateway route; <see cref="IamAuthorized"/> when it has <c>authorizer: aws_iam</c>.</summary>
public sealed record HttpRoute(string Method, string Path, bool IamAuthorized = false);

/// <summary>An SQS event source: the queue's logical id and the batch size.</summary>
public sealed record QueueSource(string QueueLogicalId, int BatchSize);

/// <summary>
/// A DynamoDB stream event source: the table's logical id, batch size, retries (-1: until the record expires), and the
/// queue that hears of a record given up on.
/// </summary>
public sealed record StreamSource(string TableLogicalId, int BatchSize, int MaximumRetryAttempts, string? OnFailureQueueLogicalId = null);
