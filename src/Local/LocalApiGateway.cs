using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
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
/// <c>X-PMI-Identity</c> header, and a request without one is refused with 403 as API Gateway refuses unsigned ones.
/// </summary>
public sealed class LocalApiGateway : IAsyncDisposable
{
    public const string IdentityHeader = "X-PMI-Identity";
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
        var app = builder.Build();
        app.Run(async context =>
        {
            var segments = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
            foreach (var (function, route, template) in routes)
            {
                if (route.Method == context.Request.Method && Match(template, segments) is { } parameters)
                {
                    await ServeAsync(deployment, function, route, parameters, context).ConfigureAwait(false);
                    return;
                }
            }

            await WriteAsync(context, 404, """{"message":"Not Found"}""").ConfigureAwait(false);
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
        var identity = context.Request.Headers[IdentityHeader].ToString();
        if (route.IamAuthorized && identity.Length == 0)
        {
            await WriteAsync(context, 403, """{"message":"Missing Authentication Token"}""").ConfigureAwait(false);
            return;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        var request = new APIGatewayProxyRequest
        {
            Resource = route.Path,
            Path = context.Request.Path,
            HttpMethod = context.Request.Method,
            Headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.Ordinal),
            MultiValueHeaders = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? "").ToList(), StringComparer.Ordinal),
            QueryStringParameters = context.Request.Query.Count == 0 ? null : context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal),
            MultiValueQueryStringParameters = context.Request.Query.Count == 0 ? null : context.Request.Query.ToDictionary(q => q.Key, q => q.Value.Select(v => v ?? "").ToList(), StringComparer.Ordinal),
            PathParameters = parameters.Count == 0 ? null : parameters,
            Body = body.Length == 0 ? null : body,
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

        if (response is null)
        {
            await WriteAsync(context, 502, """{"message":"Internal server error"}""").ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = response.StatusCode;
        foreach (var (name, value) in response.Headers ?? [])
        {
            context.Response.Headers[name] = value;
        }

        if (response.Body is { } text)
        {
            var bytes = response.IsBase64Encoded ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json).ConfigureAwait(false);
    }
}
