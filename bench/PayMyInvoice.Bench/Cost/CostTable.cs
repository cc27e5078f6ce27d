using System.Globalization;
using System.Text;

namespace PayMyInvoice.Bench.Cost;

/// <summary>The cost rows as a Markdown table for results.md, one line per traffic level and warm-up setting.</summary>
public static class CostTable
{
    public static string ToMarkdown(IEnumerable<CostRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        text.AppendLine("| Paid invoices / month | Warm-up | Lambda | of which warm-up | API Gateway | SQS | SNS | DynamoDB | of which storage | Total (USD / month) |");
        text.AppendLine("|---:|:---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.PaidInvoicesPerMonth:N0} | {(row.WarmUp ? "on" : "off")} | {Usd(row.Lambda)} | {Usd(row.WarmUpCost)} | {Usd(row.ApiGateway)} | {Usd(row.Sqs)} | {Usd(row.Sns)} | {Usd(row.DynamoDb)} | {Usd(row.DynamoDbStorage)} | **{Usd(row.Total)}** |");
        }

        return text.ToString();
    }

    private static string Usd(decimal amount) => amount.ToString(amount < 10 ? "0.00" : "#,0", CultureInfo.InvariantCulture);
}
