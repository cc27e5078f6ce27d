using PayMyInvoice.Core.Invoices;

namespace PayMyInvoice.Core.Billing;

/// <summary>
/// Account fees: <c>txnType</c> × <c>txnQty</c> at a fixed price per unit, billed to the caller through the same
/// pipeline as invoices. A fee is an item of the invoices table (id <c>fee_…</c>) written straight into processing with
/// one line item, so the stream requests its payment like any other.
/// </summary>
public sealed class FeeService(IInvoiceStore store, TimeProvider time)
{
    public const string Currency = "USD";
    public const long MaxQuantity = 1_000_000;

    /// <summary>Minor units per unit: SubscriptionFee 50, TransactionFee 5.</summary>
    public static readonly IReadOnlyDictionary<string, long> UnitPrices = new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["SubscriptionFee"] = 50,
        ["TransactionFee"] = 5,
    };

    public static long AmountFor(string txnType, long txnQty) => UnitPrices[txnType] * txnQty;

    public async Task<Result<Invoice>> BillAsync(string userId, string? txnType, long? txnQty, string? paymentMethodId, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        if (txnType is null || !UnitPrices.ContainsKey(txnType))
        {
            errors.Add(new FieldError("txnType", txnType is null ? "required" : "invalid_value", "Must be SubscriptionFee or TransactionFee."));
        }

        if (txnQty is not { } quantity || quantity is < 1 or > MaxQuantity)
        {
            errors.Add(new FieldError("txnQty", txnQty is null ? "required" : "out_of_range", $"Must be an integer from 1 to {MaxQuantity}."));
        }

        if (PaymentMethods.Check(paymentMethodId) is { } paymentMethodError)
        {
            errors.Add(paymentMethodError);
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        var now = time.GetUtcNow();
        var unitPrice = UnitPrices[txnType!];
        var id = InvoiceIds.NewFee();
        var fee = new Invoice
        {
            InvoiceId = id,
            UserId = userId,
            Details = new InvoiceDetails("", $"{txnType} × {txnQty}", unitPrice * txnQty!.Value, Currency, DateOnly.FromDateTime(now.UtcDateTime), [new LineItem(txnType!, txnQty.Value, unitPrice)], null),
            Status = InvoiceStatus.Processing,
            Payment = new PaymentAttempt(PaymentService.PaymentIdFor(userId, id, idempotencyKey: null), paymentMethodId!),
            Version = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        return await store.TryCreateAsync(fee, cancellationToken).ConfigureAwait(false)
            ? fee
            : Failure.Conflict("already_exists", "A fee with this id already exists.");
    }

    public async Task<Result<Invoice>> GetAsync(string userId, string? feeId, CancellationToken cancellationToken) =>
        InvoiceIds.IsWellFormedFee(feeId) && await store.GetAsync(userId, feeId!, cancellationToken).ConfigureAwait(false) is { } fee
            ? fee
            : Failure.NotFound("The fee");
}
