using Microsoft.Playwright;

namespace K2.Browser.Tests.Support;

/// <summary>
/// The system's Chromium (Debian's <c>chromium</c> package, installed by scripts/ensure-prerequisites.sh), headless and
/// driven by Playwright: one per test process, shared by every test as an assembly fixture and closed at its end.
/// </summary>
public sealed class HeadlessChromium : IAsyncLifetime
{
    // Nothing the browser does on its own may reach the network: no background services, updates, sync or QUIC.
    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async ValueTask InitializeAsync()
    {
        // The system browser: Playwright's own browser builds would be a download.
        var executable = FindExecutable();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = Arguments,
        });
    }

    /// <summary>A new page in a fresh browser context, recording what it does; see <see cref="LoopbackPage"/>.</summary>
    public Task<LoopbackPage> OpenPageAsync() =>
        LoopbackPage.OpenAsync(_browser ?? throw new InvalidOperationException("Chromium has not been launched."));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_browser is not null)
            {
                await _browser.CloseAsync().WaitAsync(CloseTimeout);
            }
        }
        finally
        {
            // Kills Playwright's driver, which takes down a browser that did not close. Were the test host to die
            // instead, the driver would see its pipe close and do the same.
            _playwright?.Dispose();
        }
    }

    private static string FindExecutable()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "chromium"))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("No chromium on the PATH: run scripts/ensure-prerequisites.sh test.");
    }
}
