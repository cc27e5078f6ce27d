namespace PayMyInvoice.Core.Invoices;

public enum InvoiceStatus
{
    Draft,
    Open,
    Processing,
    RequiresAction,
    PaymentFailed,
    Paid,
    Void,
}

/// <summary>The status names clients and the table see.</summary>
public static class InvoiceStatusNames
{
    public static string ToName(this InvoiceStatus status) => status switch
    {
        InvoiceStatus.Draft => "draft",
        InvoiceStatus.Open => "open",
        InvoiceStatus.Processing => "processing",
        InvoiceStatus.RequiresAction => "requires_action",
        InvoiceStatus.PaymentFailed => "payment_failed",
        InvoiceStatus.Paid => "paid",
        InvoiceStatus.Void => "void",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryParse(string? name, out InvoiceStatus status)
    {
        foreach (var candidate in Enum.GetValues<InvoiceStatus>())
        {
            if (candidate.ToName() == name)
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }
}
