using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PayMyInvoice.Contracts;
using PayMyInvoice.Contracts.APIGatewayEvents;
using PayMyInvoice.Local.Serverless;

namespace PayMyInvoice.Local;

/// <summary>
/// serverless.yml's HTTP routes on loopback, the way API Gateway's REST proxy integration serves them: each request
/// becomes the payload-1.0 event, the function's response becomes the HTTP response, a function error is a 502.
/// IAM signing has no local counterpart: on <c>aws_iam</c> routes the caller names its Cognito identity in the
/// <c>X-PMI-Identity</c> header, and a request without one is refused with 403 as API Gateway refuses unsigned ones;
/// two of them, or one with control characters, is refused with 403 as a bad signature is (never merged into a new
/// identity). What API Gateway answers itself comes in its own JSON shape, <c>{"message":…}</c> with
/// <c>x-amzn-ErrorType</c>: an unknown path or method is 403 "Missing Authentication Token" (a REST API answers so
/// whether or not the resource exists, so it reveals no routes), a body over API Gateway's 10 MB is 413, a request line
/// or headers over its 10,240 bytes are 414/431. A body that is not UTF-8 reaches the function base64-encoded
/// (<c>isBase64Encoded</c>), so the function sees the bytes sent rather than U+FFFD in their place.
/// </summary>
public sealed class LocalApiGateway : IAsyncDisposable
{
    public const string IdentityHeader = "X-PMI-Identity";

    /// <summary>API Gateway's payload quota (10 MB) and its quota for the request line and the header values (10,240 bytes).</summary>
    public const long MaxPayloadBytes = 10L * 1024 * 1024;
    public const int MaxRequestLineBytes = 10_240;
    public const int MaxHeaderBytes = 10_240;
    private readonly WebApplication _app;

    private LocalApiGateway(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<LocalApiGateway> StartAsync(LocalDeployment deployment, int port = 0)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var routes = deployment.Config.FunctionNames
            .SelectMany(name => deployment.Config.Function(name).HttpRoutes.Select(route => (Function: name, Route: route, Template: route.Path.Split('/', StringSplitOptions.RemoveEmptyEntries))))
            .ToList();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Kestrel answers over-long request lines and headers itself (414/431, no body, before any app code): its
            // limits are set above API Gateway's so that such requests reach the check below and get a JSON answer.
            // Past these, and for requests HTTP cannot parse (400), Kestrel still answers with an empty body.
            kestrel.Limits.MaxRequestLineSize = 64 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            kestrel.Limits.MaxRequestBodySize = MaxPayloadBytes + 1;
        });
        var app = builder.Build();
        app.Run(async context =>
        {
            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
            if (target.Length + context.Request.Method.Length > MaxRequestLineBytes)
            {
                await RefuseAsync(context, 414, "RequestUriTooLong", "Request-URI Too Long").ConfigureAwait(false);
                return;
            }

            if (context.Request.Headers.Sum(h => h.Key.Length + h.Value.Sum(v => v?.Length ?? 0)) > MaxHeaderBytes)
            {
                await RefuseAsync(context, 431, "RequestHeaderFieldsTooLarge", "Request Header Fields Too Large").ConfigureAwait(false);
                return;
            }

            // Split the path as sent and decode each segment once, as API Gateway does (Kestrel's Path is decoded already).
            var query = target.IndexOf('?', StringComparison.Ordinal);
            var segments = (query < 0 ? target : target[..query]).Split('/', StringSplitOptions.RemoveEmptyEntries);
            foreach (var (function, route, template) in routes)
            {
                if (route.Method == context.Request.Method && Match(template, segments) is { } parameters)
                {
                    await ServeAsync(deployment, function, route, parameters, context).ConfigureAwait(false);
                    return;
                }
            }

            await RefuseAsync(context, 403, "MissingAuthenticationTokenException", "Missing Authentication Token").ConfigureAwait(false);
        });
        await app.StartAsync().ConfigureAwait(false);
        return new LocalApiGateway(app)
        {
            BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
        };
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync().ConfigureAwait(false);

    private static Dictionary<string, string>? Match(string[] template, string[] segments)
    {
        if (template.Length != segments.Length)
        {
            return null;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i].StartsWith('{') && template[i].EndsWith('}'))
            {
                parameters[template[i][1..^1]] = Uri.UnescapeDataString(segments[i]);
            }
            else if (!string.Equals(template[i], segments[i], StringComparison.Ordinal))
            {
                return null;
            }
        }

        return parameters;
    }

    private static async Task ServeAsync(LocalDeployment deployment, string function, HttpRoute route, Dictionary<string, string> parameters, HttpContext context)
    {
        var identities = context.Request.Headers[IdentityHeader];
        var identity = identities.Count == 1 ? identities[0] ?? "" : "";
        if (route.IamAuthorized && identities.Count == 0)
        {
            await RefuseAsync(context, 403, "MissingAuthenticationTokenException", "Missing Authentication Token").ConfigureAwait(false);
            return;
        }

        if (route.IamAuthorized && (identities.Count > 1 || identity.Length == 0 || identity.Any(char.IsControl)))
        {
            // Two signatures, or one that cannot be read, are a bad signature: refused, never merged into "a, b".
            await RefuseAsync(context, 403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.").ConfigureAwait(false);
            return;
        }

        if (context.Request.ContentLength > MaxPayloadBytes)
        {
            await RefuseAsync(context, 413, "RequestTooLarge", $"HTTP content length exceeded {MaxPayloadBytes} bytes.").ConfigureAwait(false);
            return;
        }

        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            bytes = buffer.ToArray();
        }
        catch (BadHttpRequestException)
        {
            await RefuseAsync(context, 413, "RequestTooLarge", $"HTTP content length exceeded {MaxPayloadBytes} bytes.").ConfigureAwait(false);
            return;
        }

        // Text as text; bytes that are not UTF-8 as base64, as API Gateway passes a binary media type, so the function
        // sees exactly what was sent.
        var isText = System.Text.Unicode.Utf8.IsValid(bytes);
        var body = isText ? Encoding.UTF8.GetString(bytes) : Convert.ToBase64String(bytes);
        var request = new APIGatewayProxyRequest
        {
            Resource = route.Path,
            Path = context.Request.Path,
            HttpMethod = context.Request.Method,
            // A repeated header or query parameter: its last value in the single-value map, all of them in the multi-value one.
            Headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.Count == 0 ? "" : h.Value[^1] ?? "", StringComparer.Ordinal),
            MultiValueHeaders = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? "").ToList(), StringComparer.Ordinal),
            QueryStringParameters = context.Request.Query.Count == 0 ? null : context.Request.Query.ToDictionary(q => q.Key, q => q.Value.Count == 0 ? "" : q.Value[^1] ?? "", StringComparer.Ordinal),
            MultiValueQueryStringParameters = context.Request.Query.Count == 0 ? null : context.Request.Query.ToDictionary(q => q.Key, q => q.Value.Select(v => v ?? "").ToList(), StringComparer.Ordinal),
            PathParameters = parameters.Count == 0 ? null : parameters,
            Body = body.Length == 0 ? null : body,
            IsBase64Encoded = !isText,
            RequestContext = new APIGatewayProxyRequest.ProxyRequestContext
            {
                RequestId = Guid.NewGuid().ToString(),
                Stage = deployment.Config.Stage,
                ResourcePath = route.Path,
                HttpMethod = context.Request.Method,
                Path = context.Request.Path,
                RequestTimeEpoch = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                Identity = new APIGatewayProxyRequest.RequestIdentity
                {
                    CognitoIdentityId = route.IamAuthorized ? identity : null,
                    SourceIp = context.Connection.RemoteIpAddress?.ToString(),
                    UserAgent = context.Request.Headers.UserAgent.ToString(),
                },
            },
        };
        var outcome = await deployment.InvokeAsync(function, JsonSerializer.SerializeToUtf8Bytes(request, ContractsJsonContext.Wire.APIGatewayProxyRequest), context.RequestAborted).ConfigureAwait(false);
        APIGatewayProxyResponse? response = null;
        try
        {
            response = outcome.Response is null ? null : JsonSerializer.Deserialize(outcome.Response, ContractsJsonContext.Wire.APIGatewayProxyResponse);
        }
        catch (JsonException)
        {
            // a malformed response is answered as API Gateway answers it
        }

        byte[]? content = null;
        try
        {
            content = response?.Body is { } text ? response.IsBase64Encoded ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text) : null;
        }
        catch (FormatException)
        {
            response = null; // a body marked base64 that is not: API Gateway answers that as a malformed response
        }

        if (response is null || response.StatusCode is < 100 or > 599)
        {
            await RefuseAsync(context, 502, null, "Internal server error").ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = response.StatusCode;
        foreach (var (name, value) in response.Headers ?? [])
        {
            context.Response.Headers[name] = value;
        }

        if (content is not null)
        {
            await context.Response.Body.WriteAsync(content, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>An answer of API Gateway's own, in its shape: <c>{"message":…}</c>, and the error type in <c>x-amzn-ErrorType</c>.</summary>
    private static async Task RefuseAsync(HttpContext context, int status, string? errorType, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (errorType is not null)
        {
            context.Response.Headers["x-amzn-ErrorType"] = errorType;
        }

        await context.Response.WriteAsync($"{{\"message\":\"{JsonEncodedText.Encode(message)}\"}}").ConfigureAwait(false);
    }
}
