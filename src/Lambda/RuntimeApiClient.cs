using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace PayMyInvoice.Lambda;

/// <summary>The Lambda Runtime API (2018-06-01): next, response, error, init error.</summary>
public sealed class RuntimeApiClient : IDisposable
{
    private static readonly MediaTypeHeaderValue ErrorContentType = new("application/vnd.aws.lambda.error+json");
    private readonly HttpClient _http;

    /// <param name="runtimeApi">The <c>AWS_LAMBDA_RUNTIME_API</c> value: host and port.</param>
    public RuntimeApiClient(string runtimeApi)
    {
        // /next blocks until an event arrives, for as long as the environment stays frozen: no client timeout.
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = new Uri($"http://{runtimeApi}/2018-06-01/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<InvocationRequest> NextAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("runtime/invocation/next", cancellationToken).ConfigureAwait(false);
        EnsureAccepted(response, "next");
        var headers = response.Headers;
        var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var deadlineMs = long.Parse(Single(headers, "Lambda-Runtime-Deadline-Ms") ?? "0", CultureInfo.InvariantCulture);
        return new InvocationRequest(
            RequestId: Single(headers, "Lambda-Runtime-Aws-Request-Id")
                ?? throw new RuntimeApiException("next: no Lambda-Runtime-Aws-Request-Id header"),
            Deadline: DateTimeOffset.FromUnixTimeMilliseconds(deadlineMs),
            FunctionArn: Single(headers, "Lambda-Runtime-Invoked-Function-Arn") ?? "",
            TraceId: Single(headers, "Lambda-Runtime-Trace-Id"),
            ClientContext: Single(headers, "Lambda-Runtime-Client-Context"),
            CognitoIdentity: Single(headers, "Lambda-Runtime-Cognito-Identity"),
            Payload: payload);
    }

    public async Task RespondAsync(string requestId, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync($"runtime/invocation/{requestId}/response", content, cancellationToken).ConfigureAwait(false);
        EnsureAccepted(response, "response");
    }

    public Task ReportInvocationErrorAsync(string requestId, Exception error, CancellationToken cancellationToken) =>
        PostErrorAsync($"runtime/invocation/{requestId}/error", error, cancellationToken);

    public Task ReportInitErrorAsync(Exception error, CancellationToken cancellationToken) =>
        PostErrorAsync("runtime/init/error", error, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task PostErrorAsync(string path, Exception error, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(ErrorBody(error));
        content.Headers.ContentType = ErrorContentType;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("Lambda-Runtime-Function-Error-Type", ErrorType(error));
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        EnsureAccepted(response, "error");
    }

    /// <summary><c>{"errorMessage","errorType","stackTrace":[...]}</c>, the body Lambda shows the caller.</summary>
    public static byte[] ErrorBody(Exception error)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("errorMessage", error.Message);
            json.WriteString("errorType", ErrorType(error));
            json.WriteStartArray("stackTrace");
            foreach (var line in (error.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                json.WriteStringValue(line);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string ErrorType(Exception error) => error.GetType().Name;

    private static string? Single(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static void EnsureAccepted(HttpResponseMessage response, string call)
    {
        // A 500 from the Runtime API means the environment is broken: the documented reaction is to exit.
        if (response.StatusCode == HttpStatusCode.InternalServerError)
        {
            throw new RuntimeApiException($"{call}: the Runtime API answered 500; exiting");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new RuntimeApiException($"{call}: the Runtime API answered {(int)response.StatusCode}");
        }
    }
}

public sealed class RuntimeApiException(string message) : Exception(message);
