using K2.Core;
using K2.Grains.Abstractions;
using Microsoft.Extensions.Hosting;

namespace K2.Grains.Hosting;

/// <summary>
/// Starts the enabled exchange grains when the host starts and stops their sessions first when it stops, so the
/// grain runtime and the writers registered before it can drain everything already received.
/// </summary>
internal sealed class ExchangeSessionsService(IGrainFactory grains, IngestSessions sessions) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var exchange in sessions.Enabled)
        {
            await grains.GetGrain<IExchangeGrain>(exchange.ToName()).StartAsync();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var exchange in sessions.Enabled)
        {
            await grains.GetGrain<IExchangeGrain>(exchange.ToName()).StopAsync(cancellationToken);
        }
    }
}
