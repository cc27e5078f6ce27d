using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Contracts.DynamoDBEvents;
using PayMyInvoice.Contracts.Events;
using PayMyInvoice.Contracts.Http;
using PayMyInvoice.Contracts.ScheduledEvents;
using PayMyInvoice.Contracts.SNSEvents;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Contracts.StripeEvents;

namespace PayMyInvoice.Contracts;

/// <summary>
/// The one source-generated serializer for every wire shape (AOT-safe, no reflection). Names are camelCase
/// unless a property says otherwise, because AWS's casing is mixed; nulls are left out when writing.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(APIGatewayProxyRequest))]
[JsonSerializable(typeof(APIGatewayProxyResponse))]
[JsonSerializable(typeof(APIGatewayHttpApiV2ProxyRequest))]
[JsonSerializable(typeof(APIGatewayHttpApiV2ProxyRequest.ProxyRequestContext), TypeInfoPropertyName = "HttpApiV2ProxyRequestContext")]
[JsonSerializable(typeof(APIGatewayHttpApiV2ProxyResponse))]
[JsonSerializable(typeof(SQSEvent))]
[JsonSerializable(typeof(SQSEvent.MessageAttribute), TypeInfoPropertyName = "SQSMessageAttribute")]
[JsonSerializable(typeof(Dictionary<string, SQSEvent.MessageAttribute>), TypeInfoPropertyName = "SQSMessageAttributes")]
[JsonSerializable(typeof(SQSBatchResponse))]
[JsonSerializable(typeof(SNSEvent))]
[JsonSerializable(typeof(SNSEvent.MessageAttribute), TypeInfoPropertyName = "SNSMessageAttribute")]
[JsonSerializable(typeof(Dictionary<string, SNSEvent.MessageAttribute>), TypeInfoPropertyName = "SNSMessageAttributes")]
[JsonSerializable(typeof(DynamoDBEvent))]
[JsonSerializable(typeof(StreamsEventResponse))]
[JsonSerializable(typeof(StreamsEventResponse.BatchItemFailure), TypeInfoPropertyName = "StreamsBatchItemFailure")]
[JsonSerializable(typeof(List<StreamsEventResponse.BatchItemFailure>), TypeInfoPropertyName = "StreamsBatchItemFailures")]
[JsonSerializable(typeof(ScheduledEvent))]
[JsonSerializable(typeof(WarmUpEvent))]
[JsonSerializable(typeof(ScheduledRunResponse))]
[JsonSerializable(typeof(ReconcileRunResponse))]
[JsonSerializable(typeof(InvoiceRequest))]
[JsonSerializable(typeof(InvoiceResponse))]
[JsonSerializable(typeof(InvoiceListResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(PayRequest))]
[JsonSerializable(typeof(PaymentResponse))]
[JsonSerializable(typeof(WebhookResponse))]
[JsonSerializable(typeof(BillingRequest))]
[JsonSerializable(typeof(BillingResponse))]
[JsonSerializable(typeof(InvoiceEvent))]
[JsonSerializable(typeof(StripeEvent))]
public sealed partial class ContractsJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The instance to use. Like Lambda's own serializer it writes quotes, '+' and non-ASCII text unescaped, so
    /// response bodies read as written; every consumer is a JSON parser, never an HTML page.
    /// </summary>
    public static ContractsJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
