using System.Globalization;

namespace PayMyInvoice.Core.Invoices;

/// <summary>Turns client input into <see cref="InvoiceDetails"/>, reporting every bad field at once.</summary>
public static class InvoiceValidator
{
    /// <summary>The bounds when the currency is unknown; with a currency, <see cref="MoneyRules"/> decides.</summary>
    public const long MinAmount = 1;
    public const long MaxAmount = MoneyRules.MaxAmount;
    public const int MaxDescriptionLength = 1_000;
    public const int MaxLineItems = 100;
    public const int MaxLineItemDescriptionLength = 200;
    public const long MaxQuantity = 10_000;
    public const int MaxAttachmentLength = 1_024;
    public const int MaxEmailLength = 254;

    /// <summary>Where an owner's uploads live in the uploads bucket: the Identity Pool's role lets a user write only there.</summary>
    public static string AttachmentPrefix(string ownerId) => $"private/{ownerId}/";

    public static Result<(InvoiceDetails Details, InvoiceStatus? Status)> Validate(InvoiceInput input, string ownerId)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<FieldError>();

        var email = input.PayerEmail?.Trim();
        if (TextRules.Check("payerEmail", input.PayerEmail) is { } payerEmailText)
        {
            errors.Add(payerEmailText);
        }
        else if (string.IsNullOrEmpty(email))
        {
            errors.Add(Required("payerEmail"));
        }
        else if (email.Length > MaxEmailLength || !LooksLikeEmail(email))
        {
            errors.Add(new FieldError("payerEmail", "invalid_format", "Must be an email address such as payer@example.com."));
        }

        var issuerEmail = string.IsNullOrWhiteSpace(input.IssuerEmail) ? null : input.IssuerEmail.Trim();
        if (TextRules.Check("issuerEmail", input.IssuerEmail) is { } issuerEmailText)
        {
            errors.Add(issuerEmailText);
        }
        else if (issuerEmail is not null && (issuerEmail.Length > MaxEmailLength || !LooksLikeEmail(issuerEmail)))
        {
            errors.Add(new FieldError("issuerEmail", "invalid_format", "Must be an email address such as accounts@example.com."));
        }

        var description = input.Description?.Trim();
        if (TextRules.Check("description", input.Description, freeText: true) is { } descriptionText)
        {
            errors.Add(descriptionText);
        }
        else if (string.IsNullOrEmpty(description))
        {
            errors.Add(Required("description"));
        }
        else if (description.Length > MaxDescriptionLength)
        {
            errors.Add(TooLong("description", MaxDescriptionLength));
        }

        var currency = input.Currency?.Trim().ToUpperInvariant();
        if (TextRules.Check("currency", input.Currency) is { } currencyText)
        {
            errors.Add(currencyText);
            currency = null;
        }
        else if (string.IsNullOrEmpty(currency))
        {
            errors.Add(Required("currency"));
        }
        else if (!Currencies.IsKnown(currency))
        {
            errors.Add(new FieldError("currency", "invalid_format", "Must be an ISO 4217 currency code such as USD or EUR."));
        }
        else if (!Currencies.IsChargeable(currency))
        {
            errors.Add(new FieldError("currency", "not_supported", $"Stripe does not charge in {currency}."));
        }

        if (input.Amount is not { } amount)
        {
            errors.Add(Required("amount"));
        }
        else if (currency is not null && Currencies.IsChargeable(currency))
        {
            if (MoneyRules.Check("amount", amount, currency) is { } amountError)
            {
                errors.Add(amountError);
            }
        }
        else if (amount is < MinAmount or > MaxAmount)
        {
            errors.Add(new FieldError("amount", "out_of_range", $"Must be an integer number of minor units from {MinAmount} to {MaxAmount}."));
        }

        DateOnly dueDate = default;
        if (string.IsNullOrEmpty(input.DueDate))
        {
            errors.Add(Required("dueDate"));
        }
        else if (!DateOnly.TryParseExact(input.DueDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out dueDate))
        {
            errors.Add(new FieldError("dueDate", "invalid_format", "Must be an ISO date, yyyy-MM-dd."));
        }

        var lineItems = ValidateLineItems(input.LineItems, errors);
        if (lineItems.Count > 0 && input.Amount is { } total && lineItems.Sum(item => item.Total) != total)
        {
            errors.Add(new FieldError("amount", "mismatch", "Must equal the sum of the line items (quantity × unitAmount)."));
        }

        var attachment = string.IsNullOrWhiteSpace(input.Attachment) ? null : input.Attachment.Trim();
        if (attachment?.Length > MaxAttachmentLength)
        {
            errors.Add(TooLong("attachment", MaxAttachmentLength));
        }
        else if (attachment is not null && !IsOwnUpload(attachment, ownerId))
        {
            errors.Add(new FieldError("attachment", "not_own_upload", $"Must be the key of your own upload: {AttachmentPrefix(ownerId)}<file name>."));
        }

        InvoiceStatus? status = null;
        if (input.Status is not null)
        {
            if (InvoiceStatusNames.TryParse(input.Status, out var parsed) && InvoiceLifecycle.IsCreatable(parsed))
            {
                status = parsed;
            }
            else
            {
                errors.Add(new FieldError("status", "not_allowed", "A client may set status to draft or open only."));
            }
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        return (new InvoiceDetails(email!, description!, input.Amount!.Value, currency!, dueDate, lineItems, attachment, issuerEmail), status);
    }

    /// <summary>A key under the owner's prefix, naming a file: no empty or dot segments, no control or format characters.</summary>
    private static bool IsOwnUpload(string key, string ownerId) =>
        key.StartsWith(AttachmentPrefix(ownerId), StringComparison.Ordinal)
        && key[AttachmentPrefix(ownerId).Length..].Split('/') is var segments
        && segments.All(segment => segment.Length > 0 && segment is not "." and not "..")
        && !TextRules.HasHiddenCharacters(key);

    private static List<LineItem> ValidateLineItems(IReadOnlyList<LineItemInput>? items, List<FieldError> errors)
    {
        var valid = new List<LineItem>();
        if (items is null)
        {
            return valid;
        }

        if (items.Count > MaxLineItems)
        {
            errors.Add(new FieldError("lineItems", "too_many", $"At most {MaxLineItems} line items."));
            return valid;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var path = $"lineItems[{i}]";
            if (item is null)
            {
                errors.Add(Required(path));
                continue;
            }

            var before = errors.Count;
            var description = item.Description?.Trim();
            if (TextRules.Check($"{path}.description", item.Description, freeText: true) is { } descriptionText)
            {
                errors.Add(descriptionText);
            }
            else if (string.IsNullOrEmpty(description))
            {
                errors.Add(Required($"{path}.description"));
            }
            else if (description.Length > MaxLineItemDescriptionLength)
            {
                errors.Add(TooLong($"{path}.description", MaxLineItemDescriptionLength));
            }

            if (item.Quantity is not { } quantity || quantity is < 1 or > MaxQuantity)
            {
                errors.Add(new FieldError($"{path}.quantity", "out_of_range", $"Must be an integer from 1 to {MaxQuantity}."));
            }

            if (item.UnitAmount is not { } unitAmount || unitAmount is < 0 or > MaxAmount)
            {
                errors.Add(new FieldError($"{path}.unitAmount", "out_of_range", $"Must be an integer number of minor units from 0 to {MaxAmount}."));
            }

            if (errors.Count == before)
            {
                valid.Add(new LineItem(description!, item.Quantity!.Value, item.UnitAmount!.Value));
            }
        }

        return valid;
    }

    private static bool LooksLikeEmail(string value)
    {
        var at = value.IndexOf('@', StringComparison.Ordinal);
        return at > 0
            && at == value.LastIndexOf('@')
            && value.IndexOf('.', at) > at + 1
            && !value.EndsWith('.')
            && !value.Any(char.IsWhiteSpace);
    }

    private static FieldError Required(string field) => new(field, "required", "Is required.");

    private static FieldError TooLong(string field, int max) => new(field, "too_long", $"At most {max} characters.");
}
