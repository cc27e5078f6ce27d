using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using PayMyInvoice.Infrastructure.Aws;

namespace PayMyInvoice.Infrastructure.Sns;

/// <summary>
/// SNS over its query protocol (form POST, Version 2010-03-31), signed with AWSSDK.Core's SigV4 handler: the SNS SDK
/// package is not served here. Publish is what the functions need; the local stack also creates topics and
/// subscriptions through <see cref="CallAsync"/>.
/// </summary>
public sealed class SnsClient : IDisposable
{
    private readonly HttpClient _http;

    public SnsClient(AWSCredentials credentials, Amazon.RegionEndpoint region, Uri endpoint)
    {
        _http = new HttpClient(new SigV4SigningHandler(credentials, region, "sns", new SocketsHttpHandler { UseProxy = false }))
        {
            BaseAddress = endpoint,
            Timeout = TimeSpan.FromSeconds(10),
        };
    }

    public static SnsClient FromSettings(AwsSettings aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        return new SnsClient(aws.Credentials(), aws.RegionEndpoint, aws.Endpoint("SNS") ?? new Uri($"https://sns.{aws.Region}.amazonaws.com/"));
    }

    /// <summary>Publishes a message with String message attributes (what subscription filter policies match on); returns its MessageId.</summary>
    public async Task<string> PublishAsync(string topicArn, string message, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var parameters = new Dictionary<string, string> { ["TopicArn"] = topicArn, ["Message"] = message };
        var n = 0;
        foreach (var (name, value) in attributes)
        {
            n++;
            parameters[$"MessageAttributes.entry.{n}.Name"] = name;
            parameters[$"MessageAttributes.entry.{n}.Value.DataType"] = "String";
            parameters[$"MessageAttributes.entry.{n}.Value.StringValue"] = value;
        }

        var result = await CallAsync("Publish", parameters, cancellationToken).ConfigureAwait(false);
        return result.Descendants().Single(e => e.Name.LocalName == "MessageId").Value;
    }

    /// <summary>Any SNS action; returns the response document, or throws <see cref="SnsException"/> with SNS's error code.</summary>
    public async Task<XDocument> CallAsync(string action, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>(parameters) { ["Action"] = action, ["Version"] = "2010-03-31" };
        using var content = new FormUrlEncodedContent(form);
        using var response = await _http.PostAsync("", content, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = TryParse(body)?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            throw new SnsException(
                error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"SNS {action} failed ({(int)response.StatusCode}): {error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? body}");
        }

        return XDocument.Parse(body);
    }

    public void Dispose() => _http.Dispose();

    private static XDocument? TryParse(string body)
    {
        try
        {
            return XDocument.Parse(body);
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }
}

public sealed class SnsException(string code, string message) : Exception(message)
{
    public string Code => code;
}
