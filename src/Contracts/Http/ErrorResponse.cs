namespace PayMyInvoice.Contracts.Http;

/// <summary>The one error shape every HTTP function answers with: <c>{"error":{"code","message","details"}}</c>.</summary>
public sealed class ErrorResponse
{
    public required ErrorBody Error { get; init; }
}

public sealed class ErrorBody
{
    /// <summary>Machine-readable, stable: clients switch on it.</summary>
    public required string Code { get; init; }

    public required string Message { get; init; }
    public List<ErrorDetail>? Details { get; init; }
}

public sealed class ErrorDetail
{
    /// <summary>The request field at fault, as a JSON path below the body (<c>amount</c>, <c>lineItems[1].quantity</c>).</summary>
    public required string Field { get; init; }

    public required string Code { get; init; }
    public required string Message { get; init; }
}
