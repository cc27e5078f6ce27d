using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using PayMyInvoice.Local;
using PayMyInvoice.Local.EventSources;
using PayMyInvoice.Tests;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// Table writes become domain events: the HTTP functions write DynamoDB Local, its stream feeds invoiceStream through
/// the local event source, which publishes to the invoice-events topic on fauxqs; a queue subscribed to the topic
/// (raw delivery) shows what consumers will receive.
/// </summary>
[Collection(LocalServicesCollection.Name)]
public sealed class InvoiceEventsTests(LocalServicesFixture local) : IAsyncLifetime
{
    private LocalDeployment _deployment = null!;
    private StreamEventSource _stream = null!;
    private DynamoDbStreamsClient _streams = null!;
    private AmazonSQSClient _sqs = null!;
    private string _queueUrl = "";
    private string _topicArn = "";

    public async Task InitializeAsync()
    {
        _deployment = await local.DeployFreshStageAsync();
        _streams = new DynamoDbStreamsClient(local.Services.DynamoDb, "us-east-1");
        var function = _deployment.Config.Function("invoiceStream");
        _stream = await StreamEventSource.CreateAsync(_deployment, "invoiceStream", function.Streams[0], _streams, CancellationToken.None);
        await _stream.DrainAsync(CancellationToken.None); // the seeded samples' inserts, before the queue subscribes

        _topicArn = function.Environment["INVOICE_EVENTS_TOPIC_ARN"];
        _sqs = new AmazonSQSClient(new BasicAWSCredentials("local", "local"), new AmazonSQSConfig { ServiceURL = local.Services.Fauxqs.ToString(), AuthenticationRegion = "us-east-1" });
        _queueUrl = (await _sqs.CreateQueueAsync("events-" + Guid.NewGuid().ToString("N")[..8])).QueueUrl;
        using var sns = _deployment.Sns();
        await SubscribeQueueAsync(sns);
    }

    public Task DisposeAsync()
    {
        _streams.Dispose();
        _sqs.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Issuing_editing_and_deleting_an_invoice_publish_one_event_each_in_order()
    {
        var draft = await _deployment.HttpAsync("createInvoice", ApiCalls.Event("POST", "/invoices", body: ApiCalls.NewInvoice(status: "draft").ToJsonString()));
        var id = draft["invoiceId"]!.GetValue<string>();
        var issue = ApiCalls.NewInvoice(status: "open");
        issue["version"] = 1;
        await _deployment.HttpAsync("updateInvoice", ApiCalls.Event("PUT", $"/invoices/{id}", body: issue.ToJsonString(), id: id));
        var edit = ApiCalls.NewInvoice(amount: 9900, status: "open");
        edit["version"] = 2;
        await _deployment.HttpAsync("updateInvoice", ApiCalls.Event("PUT", $"/invoices/{id}", body: edit.ToJsonString(), id: id));
        await _deployment.HttpAsync("deleteInvoice", ApiCalls.Event("DELETE", $"/invoices/{id}", id: id));

        Assert.Equal(4, await _stream.DrainAsync(CancellationToken.None));
        var events = await ReceiveAsync(expected: 3);

        Assert.Equal(["InvoiceIssued", "InvoiceUpdated", "InvoiceDeleted"], events.Select(e => e["eventType"]!.GetValue<string>()));
        Assert.All(events, e => Assert.Equal(id, e["invoice"]!["invoiceId"]!.GetValue<string>()));
        Assert.Equal(9900, events[1]["invoice"]!["amount"]!.GetValue<long>());
        Assert.All(events, e => Assert.Equal(1, e["eventVersion"]!.GetValue<int>()));
        Assert.Equal(3, events.Select(e => e["eventId"]!.GetValue<string>()).Distinct().Count());
    }

    [Fact]
    public async Task A_failed_publish_is_retried_from_the_same_record_with_the_same_event_id()
    {
        using var sns = _deployment.Sns();
        await sns.CallAsync("DeleteTopic", new Dictionary<string, string> { ["TopicArn"] = _topicArn }, CancellationToken.None);
        await _deployment.HttpAsync("createInvoice", ApiCalls.Event("POST", "/invoices", body: ApiCalls.NewInvoice(status: "open").ToJsonString()));

        var (accepted, pending) = await _stream.PollOnceAsync(CancellationToken.None);
        Assert.Equal((0, true), (accepted, pending)); // the record stays at the head of the shard

        await sns.CallAsync("CreateTopic", new Dictionary<string, string> { ["Name"] = _topicArn.Split(':')[^1] }, CancellationToken.None);
        await SubscribeQueueAsync(sns);
        Assert.Equal(1, await _stream.DrainAsync(CancellationToken.None));
        var issued = Assert.Single(await ReceiveAsync(expected: 1));
        Assert.Equal("InvoiceIssued", issued["eventType"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_record_that_keeps_failing_is_given_up_after_its_retries_and_reported_without_blocking_the_shard()
    {
        // An item no invoice mapping can read: its stream record fails every time.
        await local.DynamoDb.PutItemAsync(_deployment.TableName("InvoicesTable"), new Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue>
        {
            ["userId"] = new() { S = ApiCalls.Alice },
            ["invoiceId"] = new() { S = "inv_ffffffffffffffffffffffffffffffff" },
            ["status"] = new() { S = "not-a-status" },
        });
        await _deployment.HttpAsync("createInvoice", ApiCalls.Event("POST", "/invoices", body: ApiCalls.NewInvoice(status: "open").ToJsonString()));

        Assert.Equal(1, await _stream.DrainAsync(CancellationToken.None)); // the good record, after the bad one was given up on

        Assert.Equal("InvoiceIssued", Assert.Single(await ReceiveAsync(expected: 1))["eventType"]!.GetValue<string>());
        var failures = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = await _deployment.QueueUrlAsync("InvoiceStreamFailuresQueue"), WaitTimeSeconds = 1 });
        var report = JsonNode.Parse(Assert.Single(failures.Messages).Body)!;
        Assert.Equal("RetryAttemptsExhausted", report["requestContext"]!["condition"]!.GetValue<string>());
    }

    /// <summary>Subscribes this test's queue to the topic with raw delivery: what consumers of the topic receive.</summary>
    private async Task SubscribeQueueAsync(Infrastructure.Sns.SnsClient sns)
    {
        var queueArn = (await _sqs.GetQueueAttributesAsync(_queueUrl, ["QueueArn"])).Attributes["QueueArn"];
        await sns.CallAsync("Subscribe", new Dictionary<string, string>
        {
            ["TopicArn"] = _topicArn,
            ["Protocol"] = "sqs",
            ["Endpoint"] = queueArn,
            ["Attributes.entry.1.key"] = "RawMessageDelivery",
            ["Attributes.entry.1.value"] = "true",
        }, CancellationToken.None);
    }

    private async Task<List<JsonNode>> ReceiveAsync(int expected)
    {
        var events = new List<JsonNode>();
        for (var attempt = 0; attempt < 10 && events.Count < expected; attempt++)
        {
            var batch = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = _queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
            foreach (var message in batch.Messages ?? [])
            {
                events.Add(JsonNode.Parse(message.Body)!);
                await _sqs.DeleteMessageAsync(_queueUrl, message.ReceiptHandle);
            }
        }

        var extra = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = _queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
        Assert.Empty(extra.Messages ?? []); // exactly the expected events, none twice
        return events;
    }
}
