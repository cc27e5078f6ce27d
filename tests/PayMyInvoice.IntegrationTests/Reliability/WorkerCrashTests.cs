using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SQS.Model;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Local;
using PayMyInvoice.Local.EventSources;
using PayMyInvoice.Local.RuntimeApi;
using PayMyInvoice.StripeEmulator;

namespace PayMyInvoice.IntegrationTests.Reliability;

/// <summary>
/// Issue 9, item 2: the billing worker runs as its own process behind the local Runtime API, as in Lambda, and is
/// killed after Stripe made the charge but before the worker wrote it to DynamoDB. Its message comes back after the
/// billing queue's visibility timeout, a new process takes it, and the payment ends paid with exactly one charge.
/// </summary>
[Collection(LocalServicesCollection.Name)]
[Trait("Category", ReliabilityRun.Category)]
public sealed class WorkerCrashTests(LocalServicesFixture local)
{
    private const string Function = "billingWorker";

    [Fact]
    public async Task A_billing_worker_killed_between_the_charge_and_its_write_is_charged_once_after_redelivery()
    {
        const string name = "billing worker killed between the Stripe call and the DynamoDB write";
        // At half the deployed timings, the lowest scale at which function timeouts (and so the worker's idempotency
        // claim, which lapses at its invocation's deadline) still shrink with the queues: 60 s claim, 90 s visibility.
        await using var pipeline = await local.StartPipelineAsync(timeScale: LocalDeployment.MinimumFunctionTimeScale);
        await pipeline.DrainAsync(CancellationToken.None);
        var run = Guid.NewGuid().ToString("N")[..8];
        using var api = new TimedApi(pipeline.Gateway.BaseUrl, run);
        var user = $"us-east-1:{run}-0000-4000-8000-000000000001";
        var invoiceId = (await api.CreateAsync(user, 0))!;
        Assert.Equal(HttpStatusCode.Accepted, await api.PayAsync(user, invoiceId, "pm_card_visa", "crash-1"));
        await pipeline.Stream("invoiceStream").DrainAsync(CancellationToken.None); // the PaymentRequested message is on the billing queue

        // The first Stripe call charges at once but holds its answer: the worker is inside the call when it dies.
        pipeline.Stripe.SlowDelay = TimeSpan.FromSeconds(30);
        pipeline.Stripe.FailNext(1, FaultKind.LateAnswer);
        var deployment = pipeline.Deployment;
        var source = pipeline.Queue(Function); // not run here: this test delivers the billing queue's messages to the process itself
        var queueUrl = source.QueueUrl;
        using var sqs = deployment.Sqs();
        var visibility = TimeSpan.FromSeconds((await sqs.GetQueueAttributesAsync(queueUrl, ["VisibilityTimeout"])).VisibilityTimeout);
        await using var runtime = await LocalRuntimeApi.StartAsync(Function);

        var first = StartWorker(deployment, runtime);
        var (received, receivedAt) = await ReceiveAsync(sqs, queueUrl, TimeSpan.FromSeconds(10));
        var invocation = runtime.InvokeAsync(EventFor(received, source, deployment), deployment.FunctionTimeout(Function));
        await WaitUntilAsync(() => pipeline.Stripe.Charges == 1, TimeSpan.FromSeconds(30));
        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();
        var killed = await invocation.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result.Outcome.ToString() : "no answer", TaskScheduler.Default);

        // Lambda starts a new environment; the message is invisible until the visibility timeout, then delivered again.
        using var second = StartWorker(deployment, runtime);
        var (redelivered, _) = await ReceiveAsync(sqs, queueUrl, visibility * 3 + TimeSpan.FromSeconds(10));
        var redeliveredAfter = Stopwatch.GetElapsedTime(receivedAt);
        var answer = await runtime.InvokeAsync(EventFor(redelivered, source, deployment), deployment.FunctionTimeout(Function));
        var failures = JsonNode.Parse(answer.Text)?["batchItemFailures"]?.AsArray().Count ?? -1;
        if (failures == 0)
        {
            await sqs.DeleteMessageAsync(queueUrl, redelivered.ReceiptHandle);
        }

        second.Kill(entireProcessTree: true);
        await pipeline.DrainAsync(CancellationToken.None); // the webhook, the payment event and the receipts
        var finals = await Ledger.SettleAsync(local, pipeline, [new PaidInvoice(user, invoiceId, api.Payer(0), false)], TimeSpan.FromSeconds(30));
        var ledger = await Ledger.CountAsync(local, pipeline, [new PaidInvoice(user, invoiceId, api.Payer(0), false)], finals);
        var detail = $"{ledger}; killed invocation: {killed}; redelivered after {redeliveredAfter.TotalSeconds:F1} s (visibility timeout {visibility.TotalSeconds:F0} s); second attempt: {answer.Outcome}, {failures} batch item failures";
        var passed = ledger.Balanced && ledger.Paid == 1 && redelivered.MessageId == received.MessageId && redeliveredAfter >= visibility;
        ReliabilityRun.Record("faults", "worker-killed", new { name, passed, detail });

        Assert.True(passed, detail);
    }

    private static Process StartWorker(LocalDeployment deployment, LocalRuntimeApi runtime) =>
        RuntimeApiCalls.StartExecutable("PayMyInvoice.Billing.dll", runtime.Address, deployment.FunctionVariables(Function));

    /// <summary>
    /// The message and the <see cref="Stopwatch"/> timestamp taken just before the request that returned it: fauxqs
    /// counts the visibility timeout from its own receive, which a clock started after the answer would see early by the
    /// receive's latency (on a loaded machine it once read 89.99 s of 90).
    /// </summary>
    private static async Task<(Message Message, long SentAt)> ReceiveAsync(Amazon.SQS.AmazonSQSClient sqs, string queueUrl, TimeSpan within)
    {
        var until = Stopwatch.StartNew();
        while (until.Elapsed < within)
        {
            var sentAt = Stopwatch.GetTimestamp();
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 1, MessageSystemAttributeNames = ["All"], MessageAttributeNames = ["All"] });
            if (response.Messages is [var message])
            {
                return (message, sentAt);
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no message on {queueUrl} within {within.TotalSeconds:F0} s");
    }

    private static byte[] EventFor(Message message, QueueEventSource source, LocalDeployment deployment) => JsonSerializer.SerializeToUtf8Bytes(
        new SQSEvent { Records = [QueueEventSource.ToRecord(message, source.QueueArn, deployment.Config.Region)] },
        ContractsJsonContext.Wire.SQSEvent);

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan within)
    {
        var until = Stopwatch.StartNew();
        while (!condition())
        {
            if (until.Elapsed > within)
            {
                throw new TimeoutException($"not so within {within.TotalSeconds:F0} s");
            }

            await Task.Delay(20);
        }
    }
}
