using Amazon.SQS;
using Amazon.SQS.Model;
using PayMyInvoice.Local;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>
/// At-least-once delivery made visible: a tap queue beside each of serverless.yml's SNS→SQS subscriptions (same
/// topic, filter and raw delivery) sees every message its queue gets, and a share of them is sent to that queue once
/// more, body and attributes alike, a moment later, as SNS and SQS may deliver a message twice.
/// </summary>
public sealed class DeliveryDuplicator
{
    private int _duplicated;

    private DeliveryDuplicator()
    {
    }

    /// <summary>Messages delivered a second time so far.</summary>
    public int Duplicated => Volatile.Read(ref _duplicated);

    /// <summary>Ends after the token given to <see cref="StartAsync"/> is cancelled.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public static async Task<DeliveryDuplicator> StartAsync(LocalDeployment deployment, double share, int seed, CancellationToken stop)
    {
        var sqs = deployment.Sqs();
        var taps = new List<(string Tap, string Target)>();
        foreach (var (logicalId, properties) in deployment.Config.ResourcesOfType("AWS::SNS::Subscription").Where(s => s.Properties.GetValueOrDefault("Protocol") as string == "sqs"))
        {
            var queueName = deployment.Arn(properties["Endpoint"]).Split(':')[^1]; // arn:aws:sqs:region:account:name
            var target = (await sqs.GetQueueUrlAsync(queueName, stop)).QueueUrl;
            var tap = (await sqs.CreateQueueAsync($"{queueName}-tap", stop)).QueueUrl;
            var tapArn = (await sqs.GetQueueAttributesAsync(tap, ["QueueArn"], stop)).QueueARN;
            await deployment.SubscribeLikeAsync(logicalId, tapArn, stop);
            taps.Add((tap, target));
        }

        var duplicator = new DeliveryDuplicator();
        duplicator.Completion = Task.Run(() => duplicator.RunAsync(sqs, taps, share, new Random(seed), stop), CancellationToken.None);
        return duplicator;
    }

    private async Task RunAsync(AmazonSQSClient sqs, List<(string Tap, string Target)> taps, double share, Random random, CancellationToken stop)
    {
        using (sqs)
        {
            while (!stop.IsCancellationRequested)
            {
                var moved = 0;
                foreach (var (tap, target) in taps)
                {
                    try
                    {
                        moved += await CopyAsync(sqs, tap, target, share, random, stop);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                }

                if (moved == 0)
                {
                    await Task.Delay(200, stop).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            }
        }
    }

    private async Task<int> CopyAsync(AmazonSQSClient sqs, string tap, string target, double share, Random random, CancellationToken stop)
    {
        var messages = (await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = tap, MaxNumberOfMessages = 10, MessageAttributeNames = ["All"] }, stop)).Messages ?? [];
        foreach (var message in messages)
        {
            if (random.NextDouble() < share)
            {
                await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = target, MessageBody = message.Body, MessageAttributes = message.MessageAttributes }, stop);
                Interlocked.Increment(ref _duplicated);
            }

            await sqs.DeleteMessageAsync(tap, message.ReceiptHandle, stop);
        }

        return messages.Count;
    }
}
