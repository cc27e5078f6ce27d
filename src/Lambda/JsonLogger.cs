using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PayMyInvoice.Lambda;

/// <summary>
/// Writes one JSON object per line with the field names Powertools for AWS Lambda uses, so the same
/// CloudWatch Logs Insights queries work: level, message, timestamp, service, cold_start,
/// function_name, function_memory_size, function_arn, function_request_id, xray_trace_id, exception.
/// </summary>
/// <remarks>
/// <para>
/// The invocation a line belongs to flows with the invocation, not with the logger: one logger serves every
/// concurrent invocation of an execution environment (the local stack runs them side by side), so the scope is an
/// <see cref="AsyncLocal{T}"/> set by the host around each invocation, and the invocation's own
/// <see cref="ILambdaContext.Logger"/> is bound to its scope explicitly (<see cref="For"/>), so a line written through
/// it carries its request id even where the execution context does not flow.
/// </para>
/// <para>
/// Every message, extra field value and exception text goes through <see cref="LogMasking.Mask"/> before it is
/// written; the standard keys (names, ARNs, request ids) are ours and are not.
/// </para>
/// </remarks>
public sealed class JsonLogger(FunctionEnvironment environment, TextWriter output, TimeProvider time) : ILambdaLogger
{
    /// <summary>
    /// One gate for every logger of the process: the local stack gives each function its own logger over one shared
    /// writer, and a line must never interleave with another's.
    /// </summary>
    private static readonly Lock Gate = new();

    private readonly AsyncLocal<InvocationScope?> _scope = new();

    /// <summary>
    /// The invocation the lines logged from this asynchronous flow belong to; set by the host around each invocation.
    /// Each concurrent invocation sees its own.
    /// </summary>
    public InvocationScope? Scope
    {
        get => _scope.Value;
        set => _scope.Value = value;
    }

    public bool IsEnabled(LogLevel level) => level >= environment.MinimumLogLevel;

    /// <summary>The keys every line has; extra fields with these names are dropped rather than written twice.</summary>
    private static readonly HashSet<string> StandardKeys =
    [
        "level", "message", "timestamp", "service", "function_name", "function_memory_size", "cold_start", "function_arn",
        "function_request_id", "xray_trace_id", "exception_name", "exception",
    ];

    private static readonly Dictionary<string, string> EmptyFields = [];

    public void Log(LogLevel level, string message, Exception? exception = null, IReadOnlyDictionary<string, string>? fields = null) =>
        Write(_scope.Value, level, message, exception, fields);

    /// <summary>A logger whose lines always carry <paramref name="scope"/>: the one an invocation's context hands out.</summary>
    public ILambdaLogger For(InvocationScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return new ScopedLogger(this, scope);
    }

    private void Write(InvocationScope? scope, LogLevel level, string message, Exception? exception, IReadOnlyDictionary<string, string>? fields)
    {
        if (!IsEnabled(level))
        {
            return;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("level", level.ToString());
            json.WriteString("message", LogMasking.Mask(message));
            json.WriteString("timestamp", time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("service", environment.ServiceName);
            json.WriteString("function_name", environment.FunctionName);
            json.WriteNumber("function_memory_size", environment.MemoryLimitInMB);
            if (scope is not null)
            {
                json.WriteBoolean("cold_start", scope.ColdStart);
                json.WriteString("function_arn", scope.FunctionArn);
                json.WriteString("function_request_id", scope.RequestId);
                if (scope.TraceId is { } trace)
                {
                    json.WriteString("xray_trace_id", trace);
                }
            }

            if (exception is not null)
            {
                json.WriteString("exception_name", exception.GetType().FullName);
                json.WriteString("exception", LogMasking.Mask(exception.ToString()));
            }

            foreach (var (key, value) in fields ?? EmptyFields)
            {
                if (!StandardKeys.Contains(key))
                {
                    json.WriteString(key, LogMasking.Mask(value));
                }
            }

            json.WriteEndObject();
        }

        var line = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (Gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private sealed class ScopedLogger(JsonLogger owner, InvocationScope scope) : ILambdaLogger
    {
        public bool IsEnabled(LogLevel level) => owner.IsEnabled(level);

        public void Log(LogLevel level, string message, Exception? exception = null, IReadOnlyDictionary<string, string>? fields = null) =>
            owner.Write(scope, level, message, exception, fields);
    }
}

/// <summary>The per-invocation fields of a log line.</summary>
public sealed record InvocationScope(string RequestId, string FunctionArn, string? TraceId, bool ColdStart);

/// <summary>
/// What a log line may not carry, masked in one place (the <see cref="JsonLogger"/> applies it to the message, every
/// extra field value and the exception text):
/// <list type="bullet">
/// <item>Email addresses keep their first character and their domain: <c>payer@example.com</c> → <c>p***@example.com</c>
/// (the domain tells a support engineer which provider bounced; the mailbox is personal data).</item>
/// <item>Payment-method, token and source ids (<c>pm_</c>, <c>tok_</c>, <c>src_</c>, any body) and card ids
/// (<c>card_</c> followed by 10+ letters or digits) keep their prefix and last 4: <c>pm_card_visa</c> →
/// <c>pm_****visa</c>. <c>card_</c> needs the long body because Stripe's error codes begin with it too
/// (<c>card_declined</c>, <c>card_velocity_exceeded</c>), and those are what a failure must be traced by.</item>
/// <item>Secrets are masked whole, keeping only what kind of secret it was: API keys (<c>sk_live_</c>,
/// <c>sk_test_</c>, <c>rk_live_</c>, <c>rk_test_</c>), webhook signing secrets (<c>whsec_</c>), client secrets
/// (<c>pi_…_secret_…</c>, <c>seti_…_secret_…</c>: the id before <c>_secret_</c> stays), the
/// <c>Stripe-Signature</c> header's value and any <c>v1=</c>/<c>v0=</c> signature, and pay-link tokens (after
/// <c>pay/</c>, or standing alone: 43 base64url characters mixing upper case, lower case and digits).</item>
/// <item>Kept as they are: PaymentIntent (<c>pi_</c>), Checkout Session (<c>cs_</c>), event (<c>evt_</c>), charge and
/// refund ids, our invoice and payment ids. None lets anyone pay, read card data or impersonate Stripe, and they
/// are what a payment is traced by across our logs, Stripe's dashboard and the table.</item>
/// </list>
/// The patterns are one source-generated regex (no reflection, no runtime compilation: trim- and AOT-safe), and a
/// text too short to hold a pay-link token and without any of <c>@ _ =</c> is returned untouched without running it.
/// </summary>
public static partial class LogMasking
{
    /// <summary>What the masked part of a value is replaced by.</summary>
    public const string Mask4 = "****";

    /// <summary>Every pattern but the pay-link token needs one of these; the token needs 43 characters.</summary>
    private static readonly SearchValues<char> Candidates = SearchValues.Create("@_=");

    private const int TokenLength = 43;

    [GeneratedRegex(
        """
        (?<email>(?<![A-Za-z0-9._%+-])(?<first>[A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@(?<domain>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+))
        |(?<keep>\b(?:sk|rk)_(?:live|test)_)[A-Za-z0-9]+
        |(?<keep>\bwhsec_)[A-Za-z0-9+/=_-]+
        |(?<keep>_secret_)[A-Za-z0-9]+
        |(?<keep>(?i:stripe-signature)["']?\s*[:=]\s*\[?\s*["']?)[^\s"'\]]+
        |(?<keep>\bv[01]=)[0-9a-fA-F]{16,}
        |(?<keep>\bpay/)[A-Za-z0-9_-]{16,}
        |(?<token>(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]{0,42}[0-9])(?=[A-Za-z0-9_-]{0,42}[a-z])(?=[A-Za-z0-9_-]{0,42}[A-Z])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-]))
        |(?<prefix>\b(?:pm|tok|src)_)(?<body>[A-Za-z0-9_]+)
        |(?<prefix>\bcard_)(?<body>[A-Za-z0-9]{10,})(?![A-Za-z0-9_])
        """,
        RegexOptions.IgnorePatternWhitespace | RegexOptions.ExplicitCapture | RegexOptions.CultureInvariant)]
    private static partial Regex Sensitive();

    /// <summary>The text with every email, payment-method id and secret masked (see the class's rules).</summary>
    public static string Mask(string? text)
    {
        if (string.IsNullOrEmpty(text) || (text.Length < TokenLength && text.AsSpan().IndexOfAny(Candidates) < 0))
        {
            return text ?? "";
        }

        return Sensitive().Replace(text, static match =>
        {
            var groups = match.Groups;
            if (groups["email"].Success)
            {
                return groups["first"].Value + "***@" + groups["domain"].Value;
            }

            if (groups["keep"].Success)
            {
                return groups["keep"].Value + Mask4;
            }

            if (groups["token"].Success)
            {
                return Mask4;
            }

            var body = groups["body"].Value;
            return groups["prefix"].Value + Mask4 + (body.Length > 4 ? body[^4..] : "");
        });
    }
}
