using System.Diagnostics;
using System.Text;
using System.Text.Json;
using PayMyInvoice.Local;

namespace PayMyInvoice.Bench;

/// <summary>
/// What no function can beat, measured the same way in the same run: the smallest Lambda runtime loop in Native AOT
/// C# and in Node.js (answering <c>{}</c>), that loop doing one DynamoDB GetItem per call (getInvoice's read and
/// nothing of ours around it), and a bare Native AOT loop of GetItem calls (no Lambda at all).
/// </summary>
public static class Floors
{
    private static readonly byte[] HelloEvent = Encoding.UTF8.GetBytes("{}");

    /// <summary>The seeded invoice that <c>getInvoice</c>'s mock reads.</summary>
    private const string GetInvoiceKey = """{"userId":{"S":"us-east-1:7d3f0a52-6a7e-4d8e-9b1c-2f4e8a9c0b11"},"invoiceId":{"S":"inv_019a2f3c4d5e7f808a9b0c1d2e3f4a5b"}}""";

    /// <param name="deployment">The stage whose seeded invoice the GetItem floor reads, with getInvoice's settings.</param>
    /// <param name="withExtra">Lays the bench's <c>--env</c> variables over a subject's own.</param>
    public static IReadOnlyList<BenchSubject> Subjects(string repositoryRoot, string builds, LocalDeployment deployment, Func<Dictionary<string, string>, Dictionary<string, string>> withExtra)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(withExtra);
        var variables = withExtra(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_LAMBDA_FUNCTION_NAME"] = "hello",
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "128",
            ["AWS_REGION"] = "us-east-1",
        });
        var aot = Path.Combine(builds, "hello-aot");
        var node = Path.Combine(repositoryRoot, "bench", "Floors", "hello.mjs");
        var getItem = Path.Combine(builds, "getitem-aot");
        var getItemVariables = withExtra(deployment.FunctionVariables("getInvoice"));
        getItemVariables["AWS_LAMBDA_FUNCTION_NAME"] = "getitem";
        return
        [
            new BenchSubject("hello", "aot", (Path.Combine(aot, "HelloAot"), []), variables, () => HelloEvent, TimeSpan.FromSeconds(10), new FileInfo(aot + ".zip").Length),
            new BenchSubject("hello", "node", ("node", [node]), variables, () => HelloEvent, TimeSpan.FromSeconds(10), new FileInfo(node).Length),
            new BenchSubject("getitem", "aot", (Path.Combine(getItem, "GetItemLoop"), ["--lambda", "--table", deployment.TableName("InvoicesTable"), "--key", GetInvoiceKey]),
                getItemVariables, () => HelloEvent, TimeSpan.FromSeconds(10), new FileInfo(getItem + ".zip").Length),
        ];
    }

    /// <summary>
    /// p50/p90/p99 in µs of <paramref name="count"/> GetItem calls on the seeded invoice that <c>getInvoice</c>'s mock
    /// reads, by a Native AOT process with the SDK client built as the functions build theirs.
    /// </summary>
    public static async Task<Quantiles> BareGetItemAsync(string builds, LocalDeployment deployment, int count)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var start = new ProcessStartInfo(Path.Combine(builds, "getitem-aot", "GetItemLoop"),
            ["--table", deployment.TableName("InvoicesTable"), "--key", GetInvoiceKey, "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
        };
        foreach (var (name, value) in deployment.FunctionVariables("getInvoice"))
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var line = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"GetItemLoop exited with {process.ExitCode}: {line}");
        }

        using var json = JsonDocument.Parse(line);
        return new Quantiles(json.RootElement.GetProperty("p50Us").GetDouble(), json.RootElement.GetProperty("p90Us").GetDouble(), json.RootElement.GetProperty("p99Us").GetDouble());
    }
}
