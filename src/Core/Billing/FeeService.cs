using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.Requests;

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

    /// <summary>
    /// The fewest units Stripe will charge for: the fee must reach Stripe's minimum charge in <see cref="Currency"/>
    /// (<see cref="MoneyRules"/>), so TransactionFee needs 10 (10 × 5 = 50 minor units, USD 0.50), SubscriptionFee 1.
    /// </summary>
    public static long MinimumQuantity(string txnType)
    {
        var unitPrice = UnitPrices[txnType];
        return Math.Max(1, (MoneyRules.MinimumFor(Currency) + unitPrice - 1) / unitPrice);
    }

    /// <summary>The most units one fee may hold: <see cref="MaxQuantity"/>, or fewer if the amount would pass Stripe's maximum.</summary>
    public static long MaximumQuantity(string txnType) => Math.Min(MaxQuantity, MoneyRules.MaxAmount / UnitPrices[txnType]);

    /// <summary>With <paramref name="remember"/> the fee and the request (Idempotency-Key) are written together.</summary>
    public async Task<Result<Invoice>> BillAsync(string userId, string? txnType, long? txnQty, string? paymentMethodId, CancellationToken cancellationToken, Func<Invoice, RememberedRequest>? remember = null)
    {
        var errors = new List<FieldError>();
        var knownType = txnType is not null && UnitPrices.ContainsKey(txnType);
        if (!knownType)
        {
            errors.Add(new FieldError("txnType", txnType is null ? "required" : "invalid_value", "Must be SubscriptionFee or TransactionFee."));
        }

        var maxQuantity = knownType ? MaximumQuantity(txnType!) : MaxQuantity;
        if (txnQty is not { } quantity || quantity < 1 || quantity > maxQuantity)
        {
            errors.Add(new FieldError("txnQty", txnQty is null ? "required" : "out_of_range", $"Must be an integer from 1 to {maxQuantity}."));
        }
        else if (knownType && quantity < MinimumQuantity(txnType!))
        {
            // A charge below Stripe's minimum can never succeed: refuse it here, naming the least quantity that can.
            var minimum = MoneyRules.MinimumFor(Currency);
            errors.Add(new FieldError(
                "txnQty",
                "below_minimum",
                $"Must be at least {MinimumQuantity(txnType!)}: a {txnType} costs {Currencies.Format(UnitPrices[txnType!], Currency)} and Stripe charges at least {Currencies.Format(minimum, Currency)} ({minimum} minor units)."));
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
        return await store.CreateAsync(fee, remember, cancellationToken).ConfigureAwait(false) switch
        {
            StoreWrite.Written => fee,
            StoreWrite.KeyTaken => RememberedRequests.KeyTaken(),
            _ => Failure.Conflict("already_exists", "A fee with this id already exists."),
        };
    }

    public async Task<Result<Invoice>> GetAsync(string userId, string? feeId, CancellationToken cancellationToken) =>
        InvoiceIds.IsWellFormedFee(feeId) && await store.GetAsync(userId, feeId!, cancellationToken).ConfigureAwait(false) is { } fee
            ? fee
            : Failure.NotFound("The fee");
}
