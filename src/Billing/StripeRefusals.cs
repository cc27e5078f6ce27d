using System.Globalization;
using PayMyInvoice.Core.Billing;
using PayMyInvoice.Lambda;

namespace PayMyInvoice.Billing;

/// <summary>
/// The one error line for a request Stripe refused for a reason on our side (key, permissions, parameters): a fixed
/// message prefix and <c>"error_class":"stripe_configuration"</c>, which the deployment's alarm matches. Stripe's message
/// is included with any key fragment removed; payers and owners never see it.
/// </summary>
public static class StripeRefusals
{
    public const string ErrorClass = "stripe_configuration";

    /// <param name="consequence">What became of the request, for the operator reading the line.</param>
    /// <param name="fields">Which invoice and payment it concerns.</param>
    public static void Log(ILambdaLogger logger, ProviderError error, string consequence, Dictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(fields);
        fields["error_class"] = ErrorClass;
        fields["stripe_error_type"] = error.Type;
        fields["stripe_http_status"] = error.HttpStatus.ToString(CultureInfo.InvariantCulture);
        AddIfSet(fields, "stripe_error_code", error.Code);
        AddIfSet(fields, "stripe_error_param", error.Param);
        AddIfSet(fields, "stripe_request_id", error.RequestId);
        AddIfSet(fields, "stripe_message", error.Message);
        logger.LogError(
            $"Stripe refused the request itself ({error.Type}, HTTP {error.HttpStatus}): {consequence}; check the Stripe key, its permissions and the request",
            fields);
    }

    private static void AddIfSet(Dictionary<string, string> fields, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            fields[key] = value;
        }
    }
}
