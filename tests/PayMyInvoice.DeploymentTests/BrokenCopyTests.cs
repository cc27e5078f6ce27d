namespace PayMyInvoice.DeploymentTests;

/// <summary>
/// Each check catches what it is for: a copy of the service with one deliberate fault, packaged by osls like the
/// real one, fails exactly the matching check (and the real package, in <see cref="TemplateTests"/>, fails none).
/// </summary>
[Collection(PackagedDeploymentCollection.Name)]
public sealed class BrokenCopyTests
{
    [Fact]
    public async Task A_GetAtt_of_a_resource_that_does_not_exist_is_caught()
    {
        var problems = await PackageBrokenCopyAsync("serverless.yml",
            "Resource: { Fn::GetAtt: [InvoiceStreamFailuresQueue, Arn] }", "Resource: { Fn::GetAtt: [InvoiceStreamFailureQueue, Arn] }", c => c.UnresolvedReferences());
        Assert.Contains(problems, p => p.Contains("'InvoiceStreamFailureQueue'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_consumed_queue_without_a_dead_letter_queue_is_caught()
    {
        var problems = await PackageBrokenCopyAsync("resources/messaging.yml", """
                  RedrivePolicy:
                    deadLetterTargetArn:
                      Fn::GetAtt: [NotificationsDeadLetterQueue, Arn]
                    maxReceiveCount: 5
            """, "", c => c.ConsumedQueuesWithoutSafeRedrive());
        Assert.Contains(problems, p => p.StartsWith("NotificationsQueue, consumed by", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wildcard_action_is_caught()
    {
        var problems = await PackageBrokenCopyAsync("serverless.yml",
            "        Action: [sns:Publish]\n        Resource: { Ref: PaymentEventsTopic }", "        Action: ['sns:*']\n        Resource: { Ref: PaymentEventsTopic }", c => c.OverbroadStatements());
        Assert.Contains(problems, p => p.StartsWith("StripeWebhookIamRoleLambdaExecution", StringComparison.Ordinal) && p.Contains("'sns:*'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_artifact_stops_packaging()
    {
        var failure = await Assert.ThrowsAsync<PackagingFailedException>(() =>
            PackageBrokenCopyAsync("serverless.yml", "artifact: artifacts/billing.zip", "artifact: artifacts/billing-missing.zip", c => c.MissingHandlers()));
        Assert.Contains("Cannot access package artifact at \"artifacts/billing-missing.zip\"", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_artifact_without_what_the_runtime_starts_is_caught()
    {
        // The managed runtime runs `dotnet exec <handler>.dll`; the zips hold a bootstrap for provided.al2023 instead.
        var problems = await PackageBrokenCopyAsync("serverless.yml", "  runtime: provided.al2023\n", "  runtime: dotnet10\n", c => c.MissingHandlers());
        Assert.Equal(18, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("BillingWorkerLambdaFunction (dotnet10) has no bootstrap.dll", StringComparison.Ordinal));
        Assert.All(problems, p => Assert.Contains("(dotnet10) has no bootstrap.dll with its runtimeconfig", p, StringComparison.Ordinal));
    }

    /// <summary>
    /// The service (serverless.yml, resources/, plugins/, package.json; node_modules and artifacts linked) in a
    /// temporary folder, one text replaced, packaged with osls: what the check finds there.
    /// </summary>
    private static async Task<IReadOnlyList<string>> PackageBrokenCopyAsync(string file, string original, string replacement, Func<TemplateChecks, IReadOnlyList<string>> check)
    {
        var root = PackagedDeployment.Root;
        var copy = Directory.CreateTempSubdirectory("pmi-broken-").FullName;
        try
        {
            foreach (var name in new[] { "serverless.yml", "package.json" })
            {
                File.Copy(Path.Combine(root, name), Path.Combine(copy, name));
            }

            foreach (var folder in new[] { "resources", "plugins" })
            {
                Directory.CreateDirectory(Path.Combine(copy, folder));
                foreach (var path in Directory.GetFiles(Path.Combine(root, folder)))
                {
                    File.Copy(path, Path.Combine(copy, folder, Path.GetFileName(path)));
                }
            }

            Directory.CreateSymbolicLink(Path.Combine(copy, "node_modules"), Path.Combine(root, "node_modules"));
            Directory.CreateSymbolicLink(Path.Combine(copy, "artifacts"), Path.Combine(root, "artifacts"));

            var target = Path.Combine(copy, file);
            var text = await File.ReadAllTextAsync(target);
            Assert.True(text.Contains(original, StringComparison.Ordinal), $"{file} no longer contains the text this test breaks:\n{original}");
            await File.WriteAllTextAsync(target, text.Replace(original, replacement, StringComparison.Ordinal));

            var (exitCode, output) = await PackagedDeployment.RunAsync(copy, Path.Combine(root, "node_modules", ".bin", "osls"), "package", "--stage", PackagedDeployment.Stage);
            if (exitCode != 0)
            {
                throw new PackagingFailedException(output);
            }

            return check(PackagedDeployment.Load(copy).Checks);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }
}

public sealed class PackagingFailedException(string output) : Exception(output);
