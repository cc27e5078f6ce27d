using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;

namespace PayMyInvoice.Bench.Floors;

/// <summary>
/// The smallest honest Lambda custom runtime: next, the call, then a fixed "{}" on response, forever. No logging, no
/// JSON. HttpClient over SocketsHttpHandler (no proxy, no timeout) as src/Lambda/RuntimeApiClient builds it, so a
/// floor pays the same HTTP stack as the real functions and nothing else. Shared by the floors (HelloAot, GetItemLoop).
/// </summary>
internal static class RuntimeLoop
{
    public static async Task<int> RunAsync(Func<CancellationToken, Task> call)
    {
        var runtimeApi = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API");
        if (string.IsNullOrEmpty(runtimeApi))
        {
            await Console.Error.WriteLineAsync("AWS_LAMBDA_RUNTIME_API is not set").ConfigureAwait(false);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = new Uri($"http://{runtimeApi}/2018-06-01/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var body = "{}"u8.ToArray();
        var json = new MediaTypeHeaderValue("application/json");
        try
        {
            while (true)
            {
                string requestId;
                using (var next = await http.GetAsync("runtime/invocation/next", stop.Token).ConfigureAwait(false))
                {
                    if (next.StatusCode == HttpStatusCode.InternalServerError)
                    {
                        return 0; // the environment is going away: the documented reaction is to exit
                    }

                    next.EnsureSuccessStatusCode();
                    requestId = next.Headers.TryGetValues("Lambda-Runtime-Aws-Request-Id", out var ids) ? ids.First() : throw new InvalidOperationException("next: no request id");
                }

                await call(stop.Token).ConfigureAwait(false);
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = json;
                using var response = await http.PostAsync($"runtime/invocation/{requestId}/response", content, stop.Token).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
        catch (HttpRequestException error) when (error.StatusCode is null)
        {
            return 0; // the Runtime API closed the connection or is gone
        }
    }
}
