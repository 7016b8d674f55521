using K2.Storage.ClickHouse;
using K2.Storage.Schema;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Storage.Hosting;

/// <summary>
/// Applies hot-store migrations during start-up, before any writer or session starts. A ClickHouse server that does
/// not answer yet (processes of a cluster start together) is waited for through <see cref="StartupRetry"/>; one that
/// answers with an error, or never answers, stops the process with that error.
/// </summary>
public sealed partial class HotStoreInitializer(HotStoreMigrator migrator, TimeProvider time, ILogger<HotStoreInitializer> logger) : IHostedService
{
    private volatile bool _ready;

    /// <summary>True once the schema is current; readiness waits for it.</summary>
    public bool IsReady => _ready;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await StartupRetry.RunAsync(
            migrator.MigrateAsync,
            e => e is ClickHouseException { ErrorCode: null },
            (attempt, wait, e) => LogUnavailable(logger, attempt, wait, e.Message),
            time,
            cancellationToken);
        _ready = true;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = StorageEventIds.HotStoreUnavailable, Level = LogLevel.Warning,
        Message = "The hot store is not reachable yet (attempt {Attempt}: {Reason}); trying again in {Wait}")]
    private static partial void LogUnavailable(ILogger logger, int attempt, TimeSpan wait, string reason);
}
