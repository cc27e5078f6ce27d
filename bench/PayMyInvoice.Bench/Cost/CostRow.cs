namespace PayMyInvoice.Bench.Cost;

/// <summary>
/// One month's cost in USD at a traffic level, with or without serverless-plugin-warmup. <see cref="Lambda"/> includes
/// the warm-up pings and the warmer itself (also shown alone as <see cref="WarmUpCost"/>); <see cref="DynamoDb"/>
/// includes storage and point-in-time recovery (also shown alone as <see cref="DynamoDbStorage"/>).
/// </summary>
public sealed record CostRow(long PaidInvoicesPerMonth, bool WarmUp, decimal Lambda, decimal ApiGateway, decimal Sqs, decimal Sns, decimal DynamoDb, decimal Total)
{
    public decimal WarmUpCost { get; init; }

    public decimal DynamoDbStorage { get; init; }

    public double ApiCalls { get; init; }

    public double ColdStarts { get; init; }

    public IReadOnlyList<FunctionCost> Functions { get; init; } = [];

    /// <summary>What the row could not price (a function the bench did not measure) and similar caveats.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>
/// One function's month: invocations (warm-up pings apart), cold starts, warm-up pings, billed GB-s, and its cost in
/// USD (requests + duration, pings included).
/// </summary>
public sealed record FunctionCost(string Function, int MemoryMb, string Architecture, double Invocations, double ColdStarts, double WarmUpPings, double GbSeconds, decimal Cost);
