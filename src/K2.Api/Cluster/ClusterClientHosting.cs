using K2.Grains.Cluster;
using K2.Grains.Hosting;
using K2.Storage.Iceberg.Catalog;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace K2.Api.Cluster;

/// <summary>
/// Makes the standalone API an Orleans client of the silos' cluster when <c>K2:Cluster:Membership</c> is Postgres: it
/// finds the silos' gateways in the same membership table (Orleans' ADO.NET clustering on the same PostgreSQL, the same
/// cluster and service ids), asks the shards' and schedules' grains for the status and the admin actions, and is ready
/// only while a silo of the cluster answers.
/// </summary>
public static class ClusterClientHosting
{
    /// <summary>Whether this configuration makes the API a client of a cluster.</summary>
    public static bool IsClusterClient(IConfiguration configuration) => ClusterConnectionOptions.IsPostgres(configuration);

    /// <summary>
    /// The Orleans client with its retries at start (<see cref="ClusterConnectRetry"/>), the exchange shards it asks
    /// about, and the readiness check of the connection. Needs the state database's options (the cold tier) registered.
    /// </summary>
    public static void AddK2ClusterClient(this IHostApplicationBuilder builder, string readyTag)
    {
        var services = builder.Services;
        services.AddOptions<ClusterConnectionOptions>().BindConfiguration(ClusterConnectionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClusterConnectionOptions>, ClusterConnectionOptionsValidator>();
        builder.UseOrleansClient(client =>
        {
            client.Services.AddOptions<ClusterOptions>().Configure<IOptions<ClusterConnectionOptions>>((o, cluster) =>
            {
                o.ClusterId = cluster.Value.ClusterId;
                o.ServiceId = cluster.Value.ServiceId;
            });
            client.UseAdoNetClustering(options => options.Configure<IOptions<ClusterConnectionOptions>, IOptions<StateDatabaseOptions>>((o, cluster, state) =>
            {
                o.Invariant = ClusterConnectionOptions.PostgresInvariant;
                o.ConnectionString = cluster.Value.MembershipConnectionString(state.Value);
            }));
            client.UseConnectionRetryFilter<ClusterConnectRetry>();
        });
        services.AddExchangeShards();
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: [readyTag]);
    }

    /// <summary>
    /// What the client could not reach, as one line naming the cluster and its membership database (host and port,
    /// never the password), when <paramref name="exception"/> ended its connecting; null for any other start failure.
    /// </summary>
    public static string? ConnectFailure(IServiceProvider services, Exception exception)
    {
        if (exception is not (OrleansException or NpgsqlException or TimeoutException))
        {
            return null;
        }

        var cluster = services.GetRequiredService<IOptions<ClusterConnectionOptions>>().Value;
        var database = new NpgsqlConnectionStringBuilder(cluster.MembershipConnectionString(services.GetRequiredService<IOptions<StateDatabaseOptions>>().Value));
        return $"cannot connect to the cluster '{cluster.ClusterId}' (membership in PostgreSQL at {database.Host}:{database.Port}): {exception.Message}";
    }
}
