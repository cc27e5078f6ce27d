using System.Collections;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace PayMyInvoice.Infrastructure.Secrets;

/// <summary>
/// Secrets stay out of the template and the function's configuration: serverless.yml gives a function
/// <c>NAME_SSM_PARAMETER=/paymyinvoice/stage/name</c>, and at init this reads every such SecureString in one
/// <c>GetParameters</c> call (decrypted) and answers it as <c>NAME</c>. A <c>NAME</c> set directly wins, which is how
/// the local stack supplies its own values without any SSM; a function with no parameters makes no call at all.
/// </summary>
public static class SsmSecrets
{
    public const string ParameterSuffix = "_SSM_PARAMETER";

    /// <summary>The settings lookup with every parameter-backed secret resolved, or the lookup itself when there is none.</summary>
    public static async Task<Func<string, string?>> ResolveAsync(
        IReadOnlyDictionary<string, string> variables, Func<IAmazonSimpleSystemsManagement> ssm, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(ssm);
        var wanted = variables
            .Where(v => v.Key.EndsWith(ParameterSuffix, StringComparison.Ordinal) && !variables.ContainsKey(v.Key[..^ParameterSuffix.Length]))
            .ToDictionary(v => v.Key[..^ParameterSuffix.Length], v => v.Value, StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return variables.GetValueOrDefault;
        }

        using var client = ssm();
        var response = await client.GetParametersAsync(
            new GetParametersRequest { Names = wanted.Values.Distinct(StringComparer.Ordinal).ToList(), WithDecryption = true },
            cancellationToken).ConfigureAwait(false);
        if (response.InvalidParameters is { Count: > 0 } missing)
        {
            throw new InvalidOperationException($"SSM has no parameter {string.Join(", ", missing)}; create it as a SecureString (see README, Deploy).");
        }

        var values = (response.Parameters ?? []).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        var resolved = new Dictionary<string, string>(variables, StringComparer.Ordinal);
        foreach (var (name, parameter) in wanted)
        {
            resolved[name] = values[parameter];
        }

        return resolved.GetValueOrDefault;
    }

    /// <summary>This process's environment with its secrets resolved through SSM in the function's region.</summary>
    public static Task<Func<string, string?>> FromProcessAsync(CancellationToken cancellationToken = default)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        return ResolveAsync(variables, () => new AmazonSimpleSystemsManagementClient(), cancellationToken);
    }
}
