using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PayMyInvoice.DeploymentTests;

/// <summary>
/// The README's table of what each function may do (function → actions → resources), rendered from the packaged
/// template, so the table cannot drift from what is deployed. Every function may also write its own log group;
/// those rows are left out.
/// </summary>
public static partial class IamTable
{
    public static string Render(JsonObject template, string stage)
    {
        ArgumentNullException.ThrowIfNull(template);
        var resources = template["Resources"]!.AsObject();
        var table = new StringBuilder("| function | actions | resources |\n| --- | --- | --- |\n");
        foreach (var (id, function) in resources.Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::Lambda::Function"))
        {
            var name = function!["Properties"]!["FunctionName"]!.GetValue<string>().Split('-', 3)[2];
            var role = function["Properties"]!["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>();
            foreach (var policy in resources[role]!["Properties"]!["Policies"]!.AsArray())
            {
                foreach (var statement in policy!["PolicyDocument"]!["Statement"]!.AsArray())
                {
                    var actions = List(statement!["Action"]);
                    if (actions.All(a => a.StartsWith("logs:", StringComparison.Ordinal)))
                    {
                        continue;
                    }

                    var targets = (statement["Resource"] is JsonArray many ? many.ToList() : [statement["Resource"]]).Select(r => Describe(r, stage));
                    table.Append(FormattableString.Invariant($"| {name} | {string.Join(", ", actions)} | {string.Join(", ", targets.Distinct())} |\n"));
                }
            }
        }

        return table.ToString();
    }

    private static List<string> List(JsonNode? node) =>
        node is JsonArray list ? list.Select(n => n!.GetValue<string>()).ToList() : [node!.GetValue<string>()];

    private static string Describe(JsonNode? resource, string stage) => resource switch
    {
        JsonObject map when map["Ref"] is JsonValue r => r.GetValue<string>(),
        JsonObject map when map["Fn::GetAtt"] is JsonArray a => a[1]!.GetValue<string>() == "StreamArn" ? $"{a[0]} stream" : a[0]!.GetValue<string>(),
        JsonObject map when map["Fn::Sub"] is JsonValue s => DescribeSub(s.GetValue<string>(), stage),
        _ => resource?.ToJsonString() ?? "",
    };

    private static string DescribeSub(string sub, string stage)
    {
        if (SsmParameter().Match(sub) is { Success: true } parameter)
        {
            return "SSM " + parameter.Groups[1].Value.Replace($"/{stage}/", "/<stage>/", StringComparison.Ordinal);
        }

        if (sub.Contains(":kms:", StringComparison.Ordinal))
        {
            return "any KMS key, only via SSM for this stage's parameters";
        }

        return ResourceReference().Replace(sub, m => m.Groups[1].Value);
    }

    [GeneratedRegex(@":parameter(/.*)$")]
    private static partial Regex SsmParameter();

    [GeneratedRegex(@"\$\{([A-Za-z0-9]+)\.Arn\}")]
    private static partial Regex ResourceReference();
}
