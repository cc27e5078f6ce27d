namespace PayMyInvoice.Bench;

/// <summary>
/// Something started as a Lambda execution environment and timed: a function in one of its builds, or a floor (a
/// hello-world loop). <see cref="Variables"/> are the whole environment Lambda would give it; <see cref="Payload"/>
/// is asked for anew for each environment (a webhook's signature must be recent).
/// </summary>
public sealed record BenchSubject(
    string Function,
    string Build,
    (string FileName, string[] Arguments) Command,
    IReadOnlyDictionary<string, string> Variables,
    Func<byte[]> Payload,
    TimeSpan Timeout,
    long ZipBytes)
{
    public string Label => $"{Function} ({Build})";
}
