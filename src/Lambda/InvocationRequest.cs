namespace PayMyInvoice.Lambda;

/// <summary>One event handed out by the Runtime API, with its <c>Lambda-Runtime-*</c> headers.</summary>
public sealed record InvocationRequest(
    string RequestId,
    DateTimeOffset Deadline,
    string FunctionArn,
    string? TraceId,
    string? ClientContext,
    string? CognitoIdentity,
    byte[] Payload);
