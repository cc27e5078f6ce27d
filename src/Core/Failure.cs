namespace PayMyInvoice.Core;

public enum FailureKind
{
    Invalid,
    NotFound,
    Conflict,
}

/// <summary>Why a use case refused: a kind the HTTP layer maps to a status, a stable code, and per-field details.</summary>
public sealed record Failure(FailureKind Kind, string Code, string Message, IReadOnlyList<FieldError>? Details = null)
{
    public static Failure Invalid(IReadOnlyList<FieldError> details) =>
        new(FailureKind.Invalid, "validation_failed", "The request has invalid fields.", details);

    public static Failure NotFound(string what) => new(FailureKind.NotFound, "not_found", $"{what} was not found.");

    public static Failure Conflict(string code, string message) => new(FailureKind.Conflict, code, message);
}

public sealed record FieldError(string Field, string Code, string Message);

/// <summary>A use case's answer: a value or a failure, never both.</summary>
public readonly struct Result<T>
{
    private Result(T? value, Failure? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }
    public Failure? Failure { get; }
    public bool IsSuccess => Failure is null;

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(Failure failure) => new(default, failure);
}
