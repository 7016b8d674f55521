using System.Net;
using K2.Grains.Cluster;
using K2.Grains.Configuration;
using K2.Silo.Schedules;
using K2.Storage.Iceberg.Catalog;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace K2.Silo.Cluster;

/// <summary>Joins the silo to its cluster as <c>K2:Cluster</c> says: alone on loopback, or with its peers over PostgreSQL.</summary>
internal static class ClusterHosting
{
    /// <summary>Long enough after a bucket closes for the trades of its last moments to land.</summary>
    public static readonly TimeSpan ClusterCandleSettleAfter = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Membership, endpoints, failure detection and the reminder table. Which membership is read from configuration
    /// now (it decides which services exist); every other setting is bound and validated with the rest at start.
    /// </summary>
    /// <param name="silo">The silo being built.</param>
    /// <param name="configuration">K2's configuration, which says which membership to use.</param>
    /// <param name="httpPorts">The ports K2's own HTTP endpoints will listen on: the embedded silo's port is never one of them.</param>
    public static void UseK2Cluster(this ISiloBuilder silo, IConfiguration configuration, IReadOnlyCollection<int> httpPorts)
    {
        silo.Services.AddOptions<SiloClusterOptions>().BindConfiguration(SiloClusterOptions.Section).ValidateOnStart();
        silo.Services.AddSingleton<IValidateOptions<SiloClusterOptions>, SiloClusterOptionsValidator>();
        silo.Services.AddSingleton<IValidateOptions<SiloClusterOptions>, KubernetesPodValidator>();
        silo.AddReminders();
        if (!ClusterConnectionOptions.IsPostgres(configuration))
        {
            // One silo on loopback, without a gateway: nothing connects to it from outside this process. Its reminders
            // (the offload and maintenance schedules) persist in the SQLite state database.
            silo.UseLocalhostClustering(siloPort: FreeLoopbackPort(httpPorts), gatewayPort: 0);
            silo.Services.AddSingleton<IReminderTable, SqliteReminderTable>();
            return;
        }

        silo.Services.AddOptions<ClusterOptions>().Configure<IOptions<SiloClusterOptions>>((o, cluster) =>
        {
            o.ClusterId = cluster.Value.ClusterId;
            o.ServiceId = cluster.Value.ServiceId;
        });
        silo.Services.AddOptions<EndpointOptions>().Configure<IOptions<SiloClusterOptions>>((o, cluster) =>
        {
            o.AdvertisedIPAddress = IPAddress.Parse(cluster.Value.AdvertisedAddress);
            o.SiloPort = cluster.Value.SiloPort;
            o.GatewayPort = cluster.Value.GatewayPort;
        });
        silo.Services.AddOptions<ClusterMembershipOptions>().Configure<IOptions<SiloClusterOptions>>((o, cluster) =>
        {
            o.ProbeTimeout = cluster.Value.ProbeTimeout;
            o.NumMissedProbesLimit = cluster.Value.MissedProbesLimit;
            o.NumVotesForDeathDeclaration = cluster.Value.DeathVotes;
            o.TableRefreshTimeout = cluster.Value.TableRefreshInterval;
            o.IAmAliveTablePublishTimeout = cluster.Value.TableRefreshInterval;
        });
        // An instrument can be active twice for a moment while silos join or leave (Orleans' default directory is
        // eventually consistent): candles are settled from the stored trades after their buckets close.
        silo.Services.AddOptions<IngestOptions>().Configure(o => o.CandleSettleAfter ??= ClusterCandleSettleAfter);
        silo.UseAdoNetClustering(options => options.Configure<IOptions<SiloClusterOptions>, IOptions<StateDatabaseOptions>>((o, cluster, state) =>
        {
            o.Invariant = ClusterConnectionOptions.PostgresInvariant;
            o.ConnectionString = cluster.Value.MembershipConnectionString(state.Value);
        }));
        silo.UseAdoNetReminderService(options => options.Configure<IOptions<SiloClusterOptions>, IOptions<StateDatabaseOptions>>((o, cluster, state) =>
        {
            o.Invariant = ClusterConnectionOptions.PostgresInvariant;
            o.ConnectionString = cluster.Value.MembershipConnectionString(state.Value);
        }));
        if (KubernetesHosting.IsEnabled(configuration))
        {
            silo.UseK2KubernetesHosting();
        }
    }

    /// <summary>
    /// Orleans refuses a silo port of 0, so the embedded silo takes one the system has just handed out, other than the
    /// HTTP ports: Kestrel binds after the silo has started, and a port chosen free for <c>--urls</c> (as tests do) is
    /// free for the system to hand out again until then.
    /// </summary>
    private static int FreeLoopbackPort(IReadOnlyCollection<int> httpPorts)
    {
        while (true)
        {
            var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (!httpPorts.Contains(port))
            {
                return port;
            }
        }
    }
}
