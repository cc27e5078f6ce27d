namespace PayMyInvoice.Core.Invoices;

/// <summary>Invoice fields as the client sent them, before validation; null means absent.</summary>
public sealed record InvoiceInput
{
    public string? PayerEmail { get; init; }
    public string? IssuerEmail { get; init; }
    public string? Description { get; init; }
    public long? Amount { get; init; }
    public string? Currency { get; init; }
    public string? DueDate { get; init; }
    public IReadOnlyList<LineItemInput>? LineItems { get; init; }
    public string? Attachment { get; init; }
    public string? Status { get; init; }
    public long? Version { get; init; }
}

public sealed record LineItemInput(string? Description, long? Quantity, long? UnitAmount);
