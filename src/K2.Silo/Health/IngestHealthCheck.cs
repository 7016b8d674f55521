using K2.Grains.Abstractions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace K2.Silo.Health;

/// <summary>
/// Reports each exchange shard's session. A disconnected shard degrades the silo but does not make it unready: the
/// API still serves stored data while the session reconnects (or the keeper starts it again) and backfills.
/// </summary>
internal sealed class IngestHealthCheck(IGrainFactory grains, Grains.Hosting.IngestSessions sessions) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var disconnected = new List<string>();
        foreach (var shard in sessions.Shards)
        {
            var status = await grains.GetGrain<IExchangeGrain>(shard.Key).GetStatusAsync();
            if (!status.Connected)
            {
                disconnected.Add(shard.Key);
            }
        }

        return disconnected.Count == 0
            ? HealthCheckResult.Healthy($"{sessions.Shards.Count} exchange session(s) connected")
            : HealthCheckResult.Degraded($"not connected: {string.Join(", ", disconnected)}");
    }
}
