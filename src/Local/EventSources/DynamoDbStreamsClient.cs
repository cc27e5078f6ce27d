using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.DynamoDBEvents;

namespace PayMyInvoice.Local.EventSources;

/// <summary>
/// The DynamoDB Streams API (DynamoDBStreams_20120810, JSON 1.0 over signed POSTs): the SDK package for it is not
/// served here, and DynamoDB Local serves it on its own port. GetRecords answers records in the very shape Lambda
/// puts into a DynamoDB event, so they are read straight into the contract types.
/// </summary>
public sealed class DynamoDbStreamsClient : IDisposable
{
    private readonly HttpClient _http;

    public DynamoDbStreamsClient(Uri endpoint, string region)
    {
        _http = new HttpClient(new SigV4SigningHandler(
            new BasicAWSCredentials("local", "local"), Amazon.RegionEndpoint.GetBySystemName(region), "dynamodb", new SocketsHttpHandler { UseProxy = false }))
        {
            BaseAddress = endpoint,
        };
    }

    public async Task<IReadOnlyList<string>> ShardIdsAsync(string streamArn, CancellationToken cancellationToken)
    {
        var response = await CallAsync("DescribeStream", new JsonObject { ["StreamArn"] = streamArn }, cancellationToken).ConfigureAwait(false);
        return response["StreamDescription"]!["Shards"]!.AsArray().Select(shard => shard!["ShardId"]!.GetValue<string>()).ToList();
    }

    /// <summary>TRIM_HORIZON without a sequence number; AT_ or AFTER_SEQUENCE_NUMBER with one.</summary>
    public async Task<string?> ShardIteratorAsync(string streamArn, string shardId, string type, string? sequenceNumber, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["StreamArn"] = streamArn, ["ShardId"] = shardId, ["ShardIteratorType"] = type };
        if (sequenceNumber is not null)
        {
            request["SequenceNumber"] = sequenceNumber;
        }

        var response = await CallAsync("GetShardIterator", request, cancellationToken).ConfigureAwait(false);
        return response["ShardIterator"]?.GetValue<string>();
    }

    public async Task<(List<DynamoDBEvent.DynamodbStreamRecord> Records, string? Next)> RecordsAsync(string iterator, int limit, CancellationToken cancellationToken)
    {
        var response = await CallAsync("GetRecords", new JsonObject { ["ShardIterator"] = iterator, ["Limit"] = limit }, cancellationToken).ConfigureAwait(false);
        var records = response["Records"].Deserialize(ContractsJsonContext.Wire.ListDynamodbStreamRecord) ?? [];
        return (records, response["NextShardIterator"]?.GetValue<string>());
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonNode> CallAsync(string action, JsonObject body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        using var request = new HttpRequestMessage(HttpMethod.Post, "") { Content = content };
        request.Headers.Add("X-Amz-Target", "DynamoDBStreams_20120810." + action);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"DynamoDB Streams {action} failed ({(int)response.StatusCode}): {text}");
        }

        return JsonNode.Parse(text)!;
    }
}
