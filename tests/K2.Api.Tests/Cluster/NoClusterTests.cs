using K2.Api.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Api.Tests.Cluster;

/// <summary>Without <c>K2:Cluster:Membership=Postgres</c>, k2-api is the query API alone: no status, no admin actions, no client.</summary>
public sealed class NoClusterTests(ApiFactory factory)
{
    [Fact]
    public void The_status_and_admin_actions_are_not_mapped_and_no_cluster_client_runs()
    {
        _ = factory.CreateClient();
        var routes = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Select(e => e.RoutePattern.RawText).ToList();

        routes.ShouldContain("/v1/trades/");
        routes.ShouldNotContain(r => r != null && r.StartsWith("/v1/status", StringComparison.Ordinal));
        routes.ShouldNotContain(r => r != null && r.StartsWith("/v1/admin", StringComparison.Ordinal));
        factory.Services.GetService<Orleans.IClusterClient>().ShouldBeNull();
    }
}
