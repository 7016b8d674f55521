using K2.Storage.Bronze;
using K2.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace K2.Grains.Tests.Support;

/// <summary>
/// The hot store's services on the shared embedded ClickHouse, in a fresh database, with its writers running, for tests
/// that drive sessions without a silo. Disposing stops the writers (draining them) in reverse order.
/// </summary>
internal sealed class RunningHotStore : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private RunningHotStore(ServiceProvider services, string database)
    {
        _services = services;
        Database = database;
    }

    public string Database { get; }

    public BronzeWriters Bronze => _services.GetRequiredService<BronzeWriters>();

    public static async Task<RunningHotStore> StartAsync(EmbeddedClickHouseFixture fixture, CancellationToken cancellationToken)
    {
        var database = (await fixture.CreateDatabaseAsync(cancellationToken)).Database;
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddLogging()
            .AddTestHotStore(fixture, database)
            .BuildServiceProvider();
        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(cancellationToken);
        }

        return new RunningHotStore(services, database);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in _services.GetServices<IHostedService>().Reverse())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
    }
}
