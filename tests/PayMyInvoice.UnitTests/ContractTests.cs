using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Contracts.DynamoDBEvents;
using PayMyInvoice.Contracts.ScheduledEvents;
using PayMyInvoice.Contracts.SNSEvents;
using PayMyInvoice.Contracts.SQSEvents;

namespace PayMyInvoice.UnitTests;

/// <summary>Sample events written from AWS's documented formats: what we read, and what we write back, must match the wire.</summary>
public sealed class ContractTests
{
    private static readonly ContractsJsonContext Json = ContractsJsonContext.Wire;

    [Fact]
    public void A_REST_proxy_request_reads_identity_headers_and_base64_body()
    {
        var request = RoundTrip("apigateway-rest-proxy.json", Json.APIGatewayProxyRequest);
        Assert.Equal("PUT", request.HttpMethod);
        Assert.Equal("us-east-1:7d3f0a52-6a7e-4d8e-9b1c-2f4e8a9c0b11", request.RequestContext!.Identity!.CognitoIdentityId);
        Assert.Equal(["bar", "baz"], request.MultiValueQueryStringParameters!["foo"]);
        Assert.Equal("inv_019a2f3c4d5e7f808a9b0c1d2e3f4a5b", request.PathParameters!["id"]);
        Assert.True(request.IsBase64Encoded);
        Assert.Equal(1428582896000, request.RequestContext.RequestTimeEpoch);
        Assert.Equal(12, request.RequestContext.Authorizer!["integrationLatency"].GetInt32());
    }

    [Fact]
    public void An_HTTP_API_v2_request_reads_route_http_and_jwt_claims()
    {
        var request = RoundTrip("apigateway-http-v2.json", Json.APIGatewayHttpApiV2ProxyRequest);
        Assert.Equal("2.0", request.Version);
        Assert.Equal("POST", request.RequestContext!.Http!.Method);
        Assert.Equal("value1", request.RequestContext.Authorizer!.Jwt!.Claims!["claim1"]);
        Assert.Equal(["cookie1", "cookie2"], request.Cookies);
        Assert.Equal(1583348638390, request.RequestContext.TimeEpoch);
    }

    [Fact]
    public void An_SQS_event_reads_string_attributes_and_binary_message_attributes()
    {
        var sqs = RoundTrip("sqs.json", Json.SQSEvent);
        Assert.Equal(2, sqs.Records!.Count);
        var first = sqs.Records[0];
        Assert.Equal("059f36b4-87a3-44ab-83d2-661975830a7d", first.MessageId);
        Assert.Equal("arn:aws:sqs:us-east-2:123456789012:my-queue", first.EventSourceArn);
        Assert.Equal("1", first.Attributes!["ApproximateReceiveCount"]);
        Assert.Equal("InvoiceIssued", first.MessageAttributes!["eventType"].StringValue);
        Assert.Equal(new byte[] { 1, 2, 3 }, first.MessageAttributes["blob"].BinaryValue);
        Assert.Equal("1", sqs.Records[1].Attributes!["MessageGroupId"]);
    }

    [Fact]
    public void An_SNS_event_reads_the_PascalCase_envelope()
    {
        var sns = RoundTrip("sns.json", Json.SNSEvent);
        var message = sns.Records![0].Sns!;
        Assert.Equal("aws:sns", sns.Records[0].EventSource);
        Assert.Equal("Hello from SNS!", message.Message);
        Assert.Equal("arn:aws:sns:us-east-1:123456789012:sns-lambda", message.TopicArn);
        Assert.Equal("TestString", message.MessageAttributes!["Test"].Value);
        Assert.Equal(new DateTime(2019, 1, 2, 12, 45, 7, DateTimeKind.Utc), message.Timestamp.ToUniversalTime());
    }

    [Fact]
    public void A_DynamoDB_stream_event_reads_every_attribute_value_type()
    {
        var stream = RoundTrip("dynamodb-stream.json", Json.DynamoDBEvent);
        var insert = stream.Records![0];
        Assert.Equal("INSERT", insert.EventName);
        Assert.Equal("4421584500000000017450439091", insert.Dynamodb!.SequenceNumber);
        Assert.Equal(1428537600, insert.Dynamodb.ApproximateCreationDateTime);
        var image = insert.Dynamodb.NewImage!;
        Assert.Equal("150000", image["amount"].N);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, image["blob"].B);
        Assert.False(image["paid"].BOOL);
        Assert.True(image["attachment"].NULL);
        Assert.Equal("Design", image["lineItems"].L![0].M!["description"].S);
        Assert.Equal(["a", "b"], image["tags"].SS);
        Assert.Equal(["1", "2.5"], image["counts"].NS);
        Assert.Equal([[1], [2]], image["blobs"].BS!);
        var remove = stream.Records[1];
        Assert.Equal("Service", remove.UserIdentity!.Type);
        Assert.Null(remove.Dynamodb!.NewImage);
        Assert.Equal("150000", remove.Dynamodb.OldImage!["amount"].N);
    }

    [Fact]
    public void A_scheduled_event_reads_detail_type()
    {
        var scheduled = RoundTrip("scheduled.json", Json.ScheduledEvent);
        Assert.Equal("Scheduled Event", scheduled.DetailType);
        Assert.Equal("aws.events", scheduled.Source);
        Assert.Equal("arn:aws:events:us-east-2:123456789012:rule/my-schedule", scheduled.Resources![0]);
    }

    [Fact]
    public void The_warm_up_payload_reads_its_source()
    {
        Assert.Equal(WarmUpEvent.DefaultSource, RoundTrip("warmup.json", Json.WarmUpEvent).Source);
    }

    [Fact]
    public void A_REST_proxy_response_is_written_with_exactly_the_fields_API_Gateway_accepts()
    {
        var response = new APIGatewayProxyResponse { StatusCode = 201, Headers = new() { ["Content-Type"] = "application/json" }, Body = "{\"a\":\"b+c\"}" };
        Assert.Equal(
            """{"statusCode":201,"headers":{"Content-Type":"application/json"},"body":"{\"a\":\"b+c\"}","isBase64Encoded":false}""",
            JsonSerializer.Serialize(response, Json.APIGatewayProxyResponse));
    }

    [Fact]
    public void A_batch_response_is_written_as_batchItemFailures_with_itemIdentifier()
    {
        var response = new SQSBatchResponse { BatchItemFailures = [new() { ItemIdentifier = "059f36b4" }] };
        Assert.Equal("""{"batchItemFailures":[{"itemIdentifier":"059f36b4"}]}""", JsonSerializer.Serialize(response, Json.SQSBatchResponse));
        Assert.Equal("""{"batchItemFailures":[]}""", JsonSerializer.Serialize(new SQSBatchResponse(), Json.SQSBatchResponse));
    }

    [Fact]
    public void An_attribute_value_is_written_as_a_one_key_object()
    {
        var value = new DynamoDBEvent.AttributeValue { M = new() { ["n"] = new() { N = "1" }, ["b"] = new() { B = [1, 2] }, ["x"] = new() { NULL = true } } };
        Assert.Equal("""{"M":{"n":{"N":"1"},"b":{"B":"AQI="},"x":{"NULL":true}}}""", JsonSerializer.Serialize(value, Json.AttributeValue));
    }

    /// <summary>
    /// Reads a sample, writes it back, and checks that everything written stands in the sample with the same value:
    /// no field renamed or re-cased on the way out. (The sample may hold fields we do not model.)
    /// </summary>
    private static T RoundTrip<T>(string file, JsonTypeInfo<T> type)
    {
        var original = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Events", file));
        var parsed = JsonSerializer.Deserialize(original, type)!;
        var written = JsonNode.Parse(JsonSerializer.Serialize(parsed, type));
        AssertContained(written, JsonNode.Parse(original), "$");
        return parsed;
    }

    private static void AssertContained(JsonNode? written, JsonNode? original, string path)
    {
        switch (written)
        {
            case JsonObject obj:
                var source = Assert.IsType<JsonObject>(original);
                foreach (var (name, value) in obj)
                {
                    Assert.True(source.ContainsKey(name), $"{path}.{name} was written but is not in the sample");
                    AssertContained(value, source[name], $"{path}.{name}");
                }

                break;
            case JsonArray array:
                var items = Assert.IsType<JsonArray>(original);
                Assert.Equal(items.Count, array.Count);
                for (var i = 0; i < array.Count; i++)
                {
                    AssertContained(array[i], items[i], $"{path}[{i}]");
                }

                break;
            case JsonValue value when value.TryGetValue<DateTimeOffset>(out var instant) && original is JsonValue o && o.TryGetValue<DateTimeOffset>(out var originalInstant):
                Assert.Equal(originalInstant, instant);
                break;
            default:
                Assert.True(JsonNode.DeepEquals(written, original), $"{path}: wrote {written?.ToJsonString()}, sample has {original?.ToJsonString()}");
                break;
        }
    }
}
