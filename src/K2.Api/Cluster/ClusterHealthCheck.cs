using K2.Grains.Abstractions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace K2.Api.Cluster;

/// <summary>
/// Ready while a silo of the cluster answers: asks the silo behind a gateway which silos its membership view holds
/// active (<see cref="IClusterViewGrain"/>: from memory, so a PostgreSQL outage does not make the API unready), within
/// <see cref="Timeout"/>. Without an answer the API can serve stored data but neither status nor admin actions.
/// </summary>
internal sealed class ClusterHealthCheck(IGrainFactory grains, TimeProvider time) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var silos = await grains.GetGrain<IClusterViewGrain>(0).GetActiveSilosAsync().WaitAsync(Timeout, time, cancellationToken);
            return silos.Length > 0
                ? HealthCheckResult.Healthy($"{silos.Length} silo(s) active")
                : HealthCheckResult.Unhealthy("the cluster lists no active silo");
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"the cluster did not answer ({e.GetType().Name}: {e.Message})");
        }
    }
}
