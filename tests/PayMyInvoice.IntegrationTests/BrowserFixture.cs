using System.Diagnostics;
using Microsoft.Playwright;
using PayMyInvoice.Local;

namespace PayMyInvoice.IntegrationTests;

/// <summary>
/// One headless Debian chromium for every browser test (launched once), driven by Playwright through
/// ExecutablePath: Playwright's own browser builds cannot be downloaded here, so `playwright install` is never run.
/// A machine without chromium gets it from scripts/install-chromium.sh (apt-get, as root), or a clear error.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where browser tests save what a person would have seen: artifacts/screenshots (git-ignored).</summary>
    public string Screenshots { get; } = Path.Combine(RepositoryRoot.Find(), "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            await InstallChromiumAsync();
        }

        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    private static async Task InstallChromiumAsync()
    {
        var script = Path.Combine(RepositoryRoot.Find(), "scripts", "install-chromium.sh");
        using var install = Process.Start(new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = install.StandardOutput.ReadToEndAsync();
        var errors = install.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await install.WaitForExitAsync(timeout.Token);
        if (install.ExitCode != 0 || !File.Exists(Chromium))
        {
            throw new InvalidOperationException($"The browser tests need Debian's chromium at {Chromium}, and {script} could not install it (exit {install.ExitCode}):\n{await output}\n{await errors}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
