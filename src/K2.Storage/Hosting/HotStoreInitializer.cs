using K2.Storage.Schema;
using Microsoft.Extensions.Hosting;

namespace K2.Storage.Hosting;

/// <summary>Applies hot-store migrations during start-up, before any writer or session starts.</summary>
public sealed class HotStoreInitializer(HotStoreMigrator migrator) : IHostedService
{
    private volatile bool _ready;

    /// <summary>True once the schema is current; readiness waits for it.</summary>
    public bool IsReady => _ready;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await migrator.MigrateAsync(cancellationToken);
        _ready = true;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
