namespace PayMyInvoice.Bench.Cost;

/// <summary>A memory size for a function and why, from its measured wall, CPU and RSS figures.</summary>
public sealed record MemoryAdvice(string Function, int ConfiguredMb, int SuggestedMb, string Reason);
