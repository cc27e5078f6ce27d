namespace PayMyInvoice.Lambda;

/// <summary>
/// The functions one executable can serve, by the name serverless.yml gives them. Each entry builds its
/// function (and its clients) only when chosen, so a process pays at init for exactly one function.
/// </summary>
public sealed class FunctionTable
{
    private readonly Dictionary<string, Func<ILambdaFunction>> _factories = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _factories.Keys;

    public FunctionTable Add(string name, Func<ILambdaFunction> factory)
    {
        _factories.Add(name, factory);
        return this;
    }

    /// <summary>Every function of another table too (the local stack serves all deployables at once).</summary>
    public FunctionTable Include(FunctionTable other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (name, factory) in other._factories)
        {
            Add(name, factory);
        }

        return this;
    }

    public bool Contains(string name) => _factories.ContainsKey(name);

    public ILambdaFunction Create(string name) =>
        _factories.TryGetValue(name, out var factory)
            ? factory()
            : throw new UnknownFunctionException(name, Names);
}

public sealed class UnknownFunctionException(string name, IEnumerable<string> known)
    : Exception($"No function named '{name}' in this executable; it serves: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
