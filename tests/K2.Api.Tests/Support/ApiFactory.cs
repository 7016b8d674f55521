using K2.Grains.Hosting;
using K2.Storage.History;
using K2.Storage.Hosting;
using K2.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Api.Tests.Support;

/// <summary>
/// The standalone API program with its real embedded hot store, warehouse and catalog in a temp directory: one per test process (chDB allows
/// one data path per process), shared by every test class as an assembly fixture.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly TempDirectory _data = new("k2-api");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in DataDirectoryLayout.Settings(_data.Path))
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("K2:Storage:Database", "k2_api_tests");
        builder.UseSetting("K2:Storage:Writers:FlushInterval", "00:00:00.020");
        builder.UseSetting("K2:Instruments:Path", RepositoryPaths.InstrumentsFile);
        // /metrics collects on every scrape, so a test sees what it just did.
        builder.UseSetting("K2:Metrics:ScrapeCacheDuration", "00:00:00");
        // The silo's latest trades from memory (the standalone program has none): windows only a test opens, counted.
        builder.ConfigureServices(services => services
            .AddLatestTradeWindows()
            .AddSingleton<CountingLatestTrades>()
            .AddSingleton<ILatestTradesSource>(sp => sp.GetRequiredService<CountingLatestTrades>()));
    }

    /// <summary>Starts the host once, before any test: test classes run in parallel and would race to start it.</summary>
    public ValueTask InitializeAsync()
    {
        StartServer();
        return ValueTask.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
    }
}
