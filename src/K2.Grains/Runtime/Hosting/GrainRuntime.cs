using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Grains.Runtime;

/// <summary>
/// The runtime's life in the host: from start, a timer collects idle activations every collection interval; at stop,
/// every activation drains and deactivates. Grains can be called before start (other hosted services may start first).
/// </summary>
internal sealed class GrainRuntime(GrainCatalog catalog, IOptions<GrainRuntimeOptions> options, TimeProvider timeProvider)
    : IHostedService, IDisposable
{
    private ITimer? _collectionTimer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.CollectionInterval;
        _collectionTimer = timeProvider.CreateTimer(
            static state => ((GrainCatalog)state!).CollectIdleActivations(), catalog, interval, interval);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _collectionTimer?.Dispose();
        await catalog.ShutdownAsync(cancellationToken);
    }

    public void Dispose() => _collectionTimer?.Dispose();
}
