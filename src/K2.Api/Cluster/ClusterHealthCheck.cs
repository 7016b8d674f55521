using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace K2.Api.Cluster;

/// <summary>
/// Ready while a silo of the cluster answers: asks the cluster which silos are active (one call through a gateway),
/// within <see cref="Timeout"/>. Without an answer the API can serve stored data but neither status nor admin actions.
/// </summary>
internal sealed class ClusterHealthCheck(IGrainFactory grains, TimeProvider time) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, cancellationToken).WaitAsync(Timeout, time, cancellationToken);
            return hosts.Count > 0
                ? HealthCheckResult.Healthy($"{hosts.Count} silo(s) active")
                : HealthCheckResult.Unhealthy("the cluster lists no active silo");
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"the cluster did not answer ({e.GetType().Name}: {e.Message})");
        }
    }
}
