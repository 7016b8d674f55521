using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;

namespace K2.Grains.Tests.Exchanges.Shards;

/// <summary>
/// Says in the events when the silo begins to stop (<c>silo stopping</c>, its first stop stage, before any grain
/// deactivates) and when what <c>k2 run</c> registers before the silo stops (<c>writers stopped</c>), as the writers do.
/// </summary>
internal sealed class StopOrderProbe(ConcurrentQueue<string> events) : IHostedService, ILifecycleParticipant<ISiloLifecycle>
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        events.Enqueue("writers stopped");
        return Task.CompletedTask;
    }

    public void Participate(ISiloLifecycle observer) => observer.Subscribe(
        nameof(StopOrderProbe),
        ServiceLifecycleStage.Active,
        _ => Task.CompletedTask,
        _ =>
        {
            events.Enqueue("silo stopping");
            return Task.CompletedTask;
        });
}
