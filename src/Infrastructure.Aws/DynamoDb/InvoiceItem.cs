using System.Globalization;
using Amazon.DynamoDBv2.Model;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Core.PayLinks;

namespace PayMyInvoice.Infrastructure.DynamoDb;

/// <summary>
/// An invoice as a table item. Attribute names are the API's field names, so the stream's images (read by the
/// workers) look like the invoices clients see. <c>payment.clientSecret</c> and <c>payment.nextAction</c> exist only
/// while the invoice is requires_action; the invoice events made from the images never carry the secret.
/// </summary>
internal static class InvoiceItem
{
    public const string UserId = "userId";
    public const string InvoiceId = "invoiceId";
    public const string Status = "status";
    public const string Version = "version";
    public const string UnpaidShard = "unpaid";
    public const string UnpaidShardValue = "1";
    public const string OverdueIndex = "UnpaidByDueDate";
    public const string PayLinkHash = "payLinkHash";
    public const string PayLinkIndex = "PayLinks";

    /// <summary>Present only while the invoice awaits a payment's outcome: its status, the pending index's partition key.</summary>
    public const string Pending = "pending";

    /// <summary>When it began awaiting (<see cref="Invoice.PendingSince"/>), ISO 8601 in UTC, so it sorts as text: the index's sort key.</summary>
    public const string PendingSince = "pendingSince";
    public const string PendingIndex = "PendingPayments";

    public static Dictionary<string, AttributeValue> Key(string userId, string invoiceId) => new()
    {
        [UserId] = new AttributeValue { S = userId },
        [InvoiceId] = new AttributeValue { S = invoiceId },
    };

    public static Dictionary<string, AttributeValue> ToItem(Invoice invoice)
    {
        var details = invoice.Details;
        var item = Key(invoice.UserId, invoice.InvoiceId);
        if (details.PayerEmail.Length > 0)
        {
            item["payerEmail"] = new AttributeValue { S = details.PayerEmail }; // account fees have no payer but the owner
        }
        item["description"] = new AttributeValue { S = details.Description };
        item["amount"] = Number(details.Amount);
        item["currency"] = new AttributeValue { S = details.Currency };
        item["dueDate"] = new AttributeValue { S = details.DueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
        if (details.LineItems.Count > 0)
        {
            item["lineItems"] = new AttributeValue
            {
                L = details.LineItems.Select(line => new AttributeValue
                {
                    M = new Dictionary<string, AttributeValue>
                    {
                        ["description"] = new() { S = line.Description },
                        ["quantity"] = Number(line.Quantity),
                        ["unitAmount"] = Number(line.UnitAmount),
                    },
                }).ToList(),
            };
        }

        if (details.Attachment is { } attachment)
        {
            item["attachment"] = new AttributeValue { S = attachment };
        }

        if (details.IssuerEmail is { } issuerEmail)
        {
            item["issuerEmail"] = new AttributeValue { S = issuerEmail };
        }

        item[Status] = new AttributeValue { S = invoice.Status.ToName() };
        if (invoice.Status is InvoiceStatus.Open or InvoiceStatus.PaymentFailed && !InvoiceIds.IsFee(invoice.InvoiceId))
        {
            // Present only while unpaid, so the overdue index holds exactly the invoices a reminder may concern.
            item[UnpaidShard] = new AttributeValue { S = UnpaidShardValue };
        }
        if (InvoiceLifecycle.IsAwaitingPayment(invoice.Status))
        {
            // Present only while a payment's outcome is awaited, so the reconciler's index holds exactly those invoices.
            item[Pending] = new AttributeValue { S = invoice.Status.ToName() };
            item[PendingSince] = new AttributeValue { S = Timestamp(invoice.PendingSince ?? invoice.UpdatedAt) };
        }

        item[Version] = Number(invoice.Version);
        item["createdAt"] = new AttributeValue { S = invoice.CreatedAt.ToString("O", CultureInfo.InvariantCulture) };
        item["updatedAt"] = new AttributeValue { S = invoice.UpdatedAt.ToString("O", CultureInfo.InvariantCulture) };
        if (invoice.Payment is { } payment)
        {
            var map = new Dictionary<string, AttributeValue>
            {
                ["paymentId"] = new() { S = payment.PaymentId },
            };
            AddIfSet(map, "paymentMethodId", payment.PaymentMethodId);
            AddIfSet(map, "paymentIntentId", payment.PaymentIntentId);
            AddIfSet(map, "failureCode", payment.FailureCode);
            AddIfSet(map, "failureMessage", payment.FailureMessage);
            AddIfSet(map, "clientSecret", payment.ClientSecret);
            if (payment.NextAction is { } next)
            {
                var action = new Dictionary<string, AttributeValue> { ["type"] = new() { S = next.Type } };
                AddIfSet(action, "redirectUrl", next.RedirectUrl);
                AddIfSet(action, "returnUrl", next.ReturnUrl);
                map["nextAction"] = new AttributeValue { M = action };
            }

            AddIfSet(map, "replacesPaymentIntentId", payment.ReplacesPaymentIntentId);
            if (payment.Checkout is { } checkout)
            {
                map["checkoutSessionId"] = new() { S = checkout.SessionId };
                map["checkoutUrl"] = new() { S = checkout.Url };
                map["checkoutExpiresAt"] = new() { S = checkout.ExpiresAt.ToString("O", CultureInfo.InvariantCulture) };
            }

            AddIfSet(map, "requeuedAt", payment.RequeuedAt is { } requeued ? Timestamp(requeued) : null);
            item["payment"] = new AttributeValue { M = map };
        }

        if (invoice.PayLink is { } link)
        {
            // Only invoices with a live link are in the PayLinks index; the token itself is never stored.
            item["payLinkNonce"] = new AttributeValue { S = link.Nonce };
            item[PayLinkHash] = new AttributeValue { S = link.TokenHash };
        }

        if (invoice.LastOverdueNotice is { } notice)
        {
            item["lastOverdueNotice"] = new AttributeValue { S = notice.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
        }

        return item;
    }

    public static Invoice FromItem(Dictionary<string, AttributeValue> item)
    {
        if (!InvoiceStatusNames.TryParse(RequiredText(item, Status), out var status))
        {
            throw new InvalidDataException($"Invoice {item[InvoiceId].S} has unknown status '{item[Status].S}'.");
        }

        var lineItems = item.TryGetValue("lineItems", out var lines) && lines.L is { } list
            ? list.Select(line => new LineItem(line.M["description"].S, ParseLong(line.M["quantity"]), ParseLong(line.M["unitAmount"]))).ToList()
            : [];
        return new Invoice
        {
            UserId = RequiredText(item, UserId),
            InvoiceId = RequiredText(item, InvoiceId),
            Details = new InvoiceDetails(
                Text(item, "payerEmail") ?? "",
                RequiredText(item, "description"),
                ParseLong(item["amount"]),
                RequiredText(item, "currency"),
                DateOnly.ParseExact(RequiredText(item, "dueDate"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                lineItems,
                item.TryGetValue("attachment", out var attachment) ? attachment.S : null,
                Text(item, "issuerEmail")),
            Status = status,
            Version = ParseLong(item[Version]),
            CreatedAt = DateTimeOffset.Parse(RequiredText(item, "createdAt"), CultureInfo.InvariantCulture),
            UpdatedAt = DateTimeOffset.Parse(RequiredText(item, "updatedAt"), CultureInfo.InvariantCulture),
            Payment = item.TryGetValue("payment", out var payment) && payment.M is { } p
                ? new PaymentAttempt(p["paymentId"].S, Text(p, "paymentMethodId"), Text(p, "paymentIntentId"), Text(p, "failureCode"), Text(p, "failureMessage"))
                {
                    Checkout = Text(p, "checkoutSessionId") is { } sessionId
                        ? new CheckoutSessionRef(sessionId, p["checkoutUrl"].S, DateTimeOffset.Parse(p["checkoutExpiresAt"].S, CultureInfo.InvariantCulture))
                        : null,
                    ClientSecret = Text(p, "clientSecret"),
                    NextAction = p.TryGetValue("nextAction", out var next) && next.M is { } n
                        ? new PaymentNextAction(n["type"].S, Text(n, "redirectUrl"), Text(n, "returnUrl"))
                        : null,
                    ReplacesPaymentIntentId = Text(p, "replacesPaymentIntentId"),
                    RequeuedAt = Text(p, "requeuedAt") is { } requeued ? DateTimeOffset.Parse(requeued, CultureInfo.InvariantCulture) : null,
                }
                : null,
            PayLink = Text(item, "payLinkNonce") is { } nonce ? new PayLink(nonce, item[PayLinkHash].S) : null,
            LastOverdueNotice = Text(item, "lastOverdueNotice") is { } notice
                ? DateOnly.ParseExact(notice, "yyyy-MM-dd", CultureInfo.InvariantCulture)
                : null,
            PendingSince = Text(item, PendingSince) is { } since ? DateTimeOffset.Parse(since, CultureInfo.InvariantCulture) : null,
        };
    }

    private static string? Text(Dictionary<string, AttributeValue> map, string name) => map.TryGetValue(name, out var value) ? value.S : null;

    /// <summary>
    /// A string attribute the item cannot be without: missing, or of another type (an item written by hand, a stream
    /// record of another shape), it is unreadable data, not an empty value that would travel on as null.
    /// </summary>
    private static string RequiredText(Dictionary<string, AttributeValue> map, string name) =>
        map.TryGetValue(name, out var value) && value.S is { } text
            ? text
            : throw new InvalidDataException($"Attribute '{name}' is {(value is null ? "missing" : "not a string")}.");

    private static void AddIfSet(Dictionary<string, AttributeValue> map, string name, string? value)
    {
        if (value is not null)
        {
            map[name] = new AttributeValue { S = value };
        }
    }

    /// <summary>Round-trip ISO 8601 in UTC (<c>2026-11-27T10:00:00.0000000+00:00</c>): fixed width, so text order is time order.</summary>
    public static string Timestamp(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static long ParseLong(AttributeValue value) => long.Parse(value.N, CultureInfo.InvariantCulture);
}
