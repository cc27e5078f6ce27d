using Microsoft.Extensions.Time.Testing;
using PayMyInvoice.Contracts.DynamoDBEvents;
using PayMyInvoice.Contracts.SQSEvents;
using PayMyInvoice.Core.Invoices;
using PayMyInvoice.Lambda;
using PayMyInvoice.Workers.Invoices;

namespace PayMyInvoice.UnitTests;

/// <summary>Each invocation's deadline: the host's token, and batches that stop taking items when time runs short.</summary>
public sealed class DeadlineTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);

    [Fact]
    public async Task The_host_cancels_the_invocation_token_shortly_before_the_deadline()
    {
        var seen = new TaskCompletionSource<(ILambdaContext Context, CancellationToken Token)>();
        var host = new LambdaHost(new FunctionEnvironment(), new JsonLogger(new FunctionEnvironment(), TextWriter.Null, _time), _time);
        var invocation = host.HandleAsync(new Probe(seen), Request(Start.AddSeconds(10)), coldStart: true, CancellationToken.None);
        var (context, token) = await seen.Task;

        Assert.Equal(Start.AddSeconds(10), context.Deadline);
        Assert.Equal(TimeSpan.FromSeconds(10), context.RemainingTime);
        _time.Advance(TimeSpan.FromSeconds(10) - LambdaHost.CancelBeforeDeadline - TimeSpan.FromMilliseconds(1));
        Assert.False(token.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(token.IsCancellationRequested);
        Assert.Equal(LambdaHost.CancelBeforeDeadline, context.RemainingTime);

        var outcome = await invocation;
        Assert.IsAssignableFrom<OperationCanceledException>(outcome.Error);
    }

    [Fact]
    public async Task An_invocation_whose_deadline_is_nearer_than_the_margin_starts_with_its_token_cancelled()
    {
        var seen = new TaskCompletionSource<(ILambdaContext Context, CancellationToken Token)>();
        var host = new LambdaHost(new FunctionEnvironment(), new JsonLogger(new FunctionEnvironment(), TextWriter.Null, _time), _time);
        var invocation = host.HandleAsync(new Probe(seen), Request(Start.AddMilliseconds(300)), coldStart: false, CancellationToken.None);
        Assert.True((await seen.Task).Token.IsCancellationRequested);
        await invocation;
    }

    [Fact]
    public async Task A_batch_stops_taking_messages_when_less_than_the_reserve_is_left_and_reports_the_rest()
    {
        var context = new ClockContext(_time, Start.AddSeconds(30));
        var handled = new List<string>();
        var response = await SqsBatch.ProcessAsync(Batch("m1", "m2", "m3", "m4"), context, TimeSpan.FromSeconds(5), message =>
        {
            handled.Add(message.MessageId!);
            _time.Advance(TimeSpan.FromSeconds(12)); // a slow item: after two of them, 6 s are left; after three, none
            return Task.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(["m1", "m2", "m3"], handled);
        Assert.Equal(["m4"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
    }

    [Fact]
    public async Task A_message_stopped_by_the_invocation_token_is_reported_with_every_later_one_instead_of_failing_the_batch()
    {
        using var invocation = new CancellationTokenSource();
        var response = await SqsBatch.ProcessAsync(Batch("m1", "m2", "m3"), new ClockContext(_time, Start.AddSeconds(30)), TimeSpan.FromSeconds(1), async message =>
        {
            if (message.MessageId == "m2")
            {
                await invocation.CancelAsync();
                invocation.Token.ThrowIfCancellationRequested();
            }
        }, invocation.Token);

        Assert.Equal(["m2", "m3"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
    }

    [Fact]
    public async Task A_client_timeout_fails_its_one_message_not_the_batch()
    {
        var handled = new List<string>();
        var response = await SqsBatch.ProcessAsync(Batch("m1", "m2", "m3"), new ClockContext(_time, Start.AddSeconds(30)), TimeSpan.FromSeconds(1), message =>
        {
            handled.Add(message.MessageId!);
            return message.MessageId == "m1"
                ? Task.FromException(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout"))
                : Task.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(["m1", "m2", "m3"], handled);
        Assert.Equal(["m1"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
    }

    [Fact]
    public async Task The_stream_worker_reports_the_first_record_it_has_no_time_for_and_publishes_nothing_after_it()
    {
        var publisher = new CountingPublisher();
        var stream = new DynamoDBEvent
        {
            Records = [.. new[] { "100", "200" }.Select(n => new DynamoDBEvent.DynamodbStreamRecord { EventID = n, Dynamodb = new DynamoDBEvent.StreamRecord { SequenceNumber = n } })],
        };

        var response = await new InvoiceStreamFunction(publisher).HandleAsync(stream, new ClockContext(_time, Start + InvoiceStreamFunction.Reserve / 2), CancellationToken.None);

        Assert.Equal(["100"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Equal(0, publisher.Published);
    }

    private static InvocationRequest Request(DateTimeOffset deadline) =>
        new("req-1", deadline, "arn:aws:lambda:us-east-1:000000000000:function:test", null, null, null, "{}"u8.ToArray());

    private static SQSEvent Batch(params string[] ids) =>
        new() { Records = [.. ids.Select(id => new SQSEvent.SQSMessage { MessageId = id, Body = "{}", EventSourceArn = "arn:aws:sqs:us-east-1:000000000000:q" })] };

    /// <summary>Hands its context and token to the test, then runs until the token fires.</summary>
    private sealed class Probe(TaskCompletionSource<(ILambdaContext, CancellationToken)> seen) : ILambdaFunction
    {
        public async Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken)
        {
            seen.SetResult((context, cancellationToken));
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return [];
        }
    }

    private sealed class CountingPublisher : IInvoiceEventPublisher
    {
        public int Published { get; private set; }

        public Task PublishAsync(InvoiceChange change, CancellationToken cancellationToken)
        {
            Published++;
            return Task.CompletedTask;
        }
    }
}

/// <summary>A context whose deadline is measured on a fake clock.</summary>
internal sealed class ClockContext(TimeProvider time, DateTimeOffset deadline, ILambdaLogger? logger = null) : ILambdaContext
{
    public string AwsRequestId => "req-1";
    public string FunctionName => "test";
    public string FunctionVersion => "$LATEST";
    public string InvokedFunctionArn => "arn:aws:lambda:us-east-1:000000000000:function:test";
    public int MemoryLimitInMB => 256;
    public DateTimeOffset Deadline => deadline;
    public TimeSpan RemainingTime => deadline > time.GetUtcNow() ? deadline - time.GetUtcNow() : TimeSpan.Zero;
    public string LogGroupName => "";
    public string LogStreamName => "";
    public string? TraceId => null;
    public string? ClientContext => null;
    public ILambdaLogger Logger { get; } = logger ?? new JsonLogger(new FunctionEnvironment(), TextWriter.Null, time);
}
