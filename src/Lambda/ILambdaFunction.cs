using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PayMyInvoice.Lambda;

/// <summary>A function as the host sees it: event bytes in, response bytes out.</summary>
public interface ILambdaFunction
{
    Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken);
}

/// <summary>Typed functions over source-generated JSON metadata, so no reflection runs on the AOT path.</summary>
public static class LambdaFunction
{
    public static ILambdaFunction Create<TEvent, TResult>(
        JsonTypeInfo<TEvent> eventType,
        JsonTypeInfo<TResult> resultType,
        Func<TEvent, ILambdaContext, CancellationToken, Task<TResult>> handler) =>
        new Typed<TEvent, TResult>(eventType, resultType, handler);

    private sealed class Typed<TEvent, TResult>(
        JsonTypeInfo<TEvent> eventType,
        JsonTypeInfo<TResult> resultType,
        Func<TEvent, ILambdaContext, CancellationToken, Task<TResult>> handler) : ILambdaFunction
    {
        public async Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken)
        {
            var input = JsonSerializer.Deserialize(payload.Span, eventType)
                ?? throw new JsonException($"The event is JSON null; {typeof(TEvent).Name} expected.");
            var result = await handler(input, context, cancellationToken).ConfigureAwait(false);
            return JsonSerializer.SerializeToUtf8Bytes(result, resultType);
        }
    }
}
