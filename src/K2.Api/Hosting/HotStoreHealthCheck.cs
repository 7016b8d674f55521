using K2.Storage.ClickHouse;
using K2.Storage.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace K2.Api.Hosting;

/// <summary>Ready once migrations have run and the hot store answers a query (the silo's and the standalone API's readiness).</summary>
public sealed class HotStoreHealthCheck(HotStoreInitializer initializer, IClickHouseClient clickHouse) : IHealthCheck
{
    /// <summary>The tag of the checks <c>/health/ready</c> runs.</summary>
    public const string ReadyTag = "ready";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!initializer.IsReady)
        {
            return HealthCheckResult.Unhealthy("hot-store migrations have not finished");
        }

        try
        {
            await clickHouse.ExecuteAsync("SELECT 1", null, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (ClickHouseException e)
        {
            return HealthCheckResult.Unhealthy("hot store does not answer", e);
        }
    }
}
