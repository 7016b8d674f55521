using K2.Core;
using K2.Grains.Abstractions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace K2.Silo.Health;

/// <summary>
/// Reports each enabled exchange session. A disconnected exchange degrades the silo but does not make it unready:
/// the API still serves stored data while the session reconnects and backfills.
/// </summary>
internal sealed class IngestHealthCheck(IGrainFactory grains, Grains.Hosting.IngestSessions sessions) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var disconnected = new List<string>();
        foreach (var exchange in sessions.Enabled)
        {
            var status = await grains.GetGrain<IExchangeGrain>(exchange.ToName()).GetStatusAsync();
            if (!status.Connected)
            {
                disconnected.Add(exchange.ToName());
            }
        }

        return disconnected.Count == 0
            ? HealthCheckResult.Healthy($"{sessions.Enabled.Count} exchange session(s) connected")
            : HealthCheckResult.Degraded($"not connected: {string.Join(", ", disconnected)}");
    }
}
