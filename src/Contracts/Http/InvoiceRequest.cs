using System.Text.Json.Serialization;

namespace PayMyInvoice.Contracts.Http;

/// <summary>
/// Body of <c>POST /invoices</c> and <c>PUT /invoices/{id}</c>. Unknown fields are rejected so that a misspelt
/// field is a 400, not silently dropped data. <see cref="Version"/> is required on update only.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class InvoiceRequest
{
    public string? PayerEmail { get; set; }

    /// <summary>Optional: where the issuer hears that the invoice was paid or that a payment failed.</summary>
    public string? IssuerEmail { get; set; }
    public string? Description { get; set; }
    public long? Amount { get; set; }
    public string? Currency { get; set; }
    public string? DueDate { get; set; }
    public List<LineItemDto>? LineItems { get; set; }
    public string? Attachment { get; set; }
    public string? Status { get; set; }
    public long? Version { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class LineItemDto
{
    public string? Description { get; set; }
    public long? Quantity { get; set; }
    public long? UnitAmount { get; set; }
}
