using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace PayMyInvoice.IntegrationTests;

/// <summary>fauxqs, as the local-services script starts it, speaks SQS to the AWS SDK on loopback.</summary>
[Collection(LocalServicesCollection.Name)]
public sealed class FauxqsTests(LocalServicesFixture local)
{
    [Fact]
    public async Task A_message_sent_to_a_local_queue_is_received_once_and_deleted()
    {
        using var sqs = new AmazonSQSClient(new BasicAWSCredentials("local", "local"), new AmazonSQSConfig
        {
            ServiceURL = local.Services.Fauxqs.ToString(),
            AuthenticationRegion = "us-east-1",
        });
        var queue = await sqs.CreateQueueAsync("smoke-" + Guid.NewGuid().ToString("N")[..8]);
        // fauxqs names queues by a host that does not resolve here; the SDK sends to ServiceURL and passes the URL as a name.
        var url = queue.QueueUrl;

        await sqs.SendMessageAsync(url, "hello");
        var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 1, MaxNumberOfMessages = 10 });
        var message = Assert.Single(received.Messages);
        Assert.Equal("hello", message.Body);
        await sqs.DeleteMessageAsync(url, message.ReceiptHandle);

        var again = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 1 });
        Assert.Empty(again.Messages ?? []);
    }
}
