using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace PayMyInvoice.StripeEmulator;

/// <summary>
/// What the payment reconciler asks: <c>GET /v1/payment_intents/search</c> (the metadata clause of Stripe's search
/// query language, answered as Stripe's <c>search_result</c> list, newest first; unlike Stripe, immediately
/// consistent). Cancelling is <see cref="Cancellations"/>.
/// </summary>
public sealed partial class StripeEmulatorServer
{
    private Task<IResult> SearchAsync(HttpContext context) => HandleAsync(context, _ =>
    {
        var query = context.Request.Query["query"].ToString();
        if (MetadataClause().Match(query) is not { Success: true } clause)
        {
            return (400, Error("invalid_request_error", $"The emulator supports only the query form metadata['key']:'value'; got: {query}", code: "parameter_invalid_string", param: "query"));
        }

        var key = clause.Groups["key"].Value;
        var value = Regex.Replace(clause.Groups["value"].Value, @"\\(.)", "$1");
        var limit = int.TryParse(context.Request.Query["limit"], out var asked) ? Math.Clamp(asked, 1, 100) : 10;
        var matches = _intents.Values
            .Where(i => i.Metadata.TryGetValue(key, out var found) && found == value)
            .OrderByDescending(i => i.Created)
            .ToList();
        return (200, new JsonObject
        {
            ["object"] = "search_result",
            ["data"] = new JsonArray(matches.Take(limit).Select(i => (JsonNode)i.ToJson()).ToArray()),
            ["has_more"] = matches.Count > limit,
            ["next_page"] = null,
            ["url"] = "/v1/payment_intents/search",
        });
    });

    /// <summary><c>metadata['key']:'value'</c> (or double quotes), values with backslash escapes.</summary>
    [GeneratedRegex("""^\s*metadata\[(?<q>['"])(?<key>[^'"\]]+)\k<q>\]\s*:\s*(?<vq>['"])(?<value>(?:\\.|(?!\k<vq>).)*)\k<vq>\s*$""", RegexOptions.CultureInvariant)]
    private static partial Regex MetadataClause();
}
