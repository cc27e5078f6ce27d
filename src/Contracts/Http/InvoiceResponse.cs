namespace PayMyInvoice.Contracts.Http;

public sealed class InvoiceResponse
{
    public required string InvoiceId { get; init; }
    public required string UserId { get; init; }
    public required string PayerEmail { get; init; }
    public string? IssuerEmail { get; init; }
    public required string Description { get; init; }
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required string DueDate { get; init; }
    public List<LineItemDto>? LineItems { get; init; }
    public string? Attachment { get; init; }
    public required string Status { get; init; }
    public required long Version { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public PaymentDto? Payment { get; init; }

    /// <summary>The payer's page (anyone holding it can see and pay this invoice); absent for drafts, fees and voided invoices.</summary>
    public string? PayUrl { get; init; }
}

public sealed class InvoiceListResponse
{
    public required List<InvoiceResponse> Items { get; init; }

    /// <summary>Opaque; pass it back as <c>cursor</c> for the next page. Absent on the last page.</summary>
    public string? NextCursor { get; init; }
}
