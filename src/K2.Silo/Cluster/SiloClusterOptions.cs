using K2.Storage.Iceberg.Catalog;

namespace K2.Silo.Cluster;

/// <summary>
/// How the silo finds its peers, bound from <c>K2:Cluster</c>. <see cref="ClusterMembership.Localhost"/> (the default)
/// is one silo on its own; <see cref="ClusterMembership.Postgres"/> makes it one of several sharing membership and
/// reminders in PostgreSQL through Orleans' ADO.NET providers.
/// </summary>
public sealed class SiloClusterOptions
{
    public const string Section = "K2:Cluster";

    public ClusterMembership Membership { get; set; } = ClusterMembership.Localhost;

    /// <summary>Silos with the same cluster id form one cluster; a new id is a fresh cluster over the same data.</summary>
    public string ClusterId { get; set; } = "k2";

    /// <summary>Stays the same across deployments: reminders and grain state are keyed by it.</summary>
    public string ServiceId { get; set; } = "k2";

    /// <summary>Membership and reminders; empty means the state database's (<c>K2:State:PostgresConnectionString</c>).</summary>
    public string PostgresConnectionString { get; set; } = "";

    /// <summary>The connection string membership and reminders use.</summary>
    public string MembershipConnectionString(StateDatabaseOptions state) =>
        PostgresConnectionString.Length > 0 ? PostgresConnectionString : state.PostgresConnectionString;

    /// <summary>The address other silos and clients reach this silo at, and the one it listens on (in Kubernetes, the pod's IP).</summary>
    public string AdvertisedAddress { get; set; } = "";

    public int SiloPort { get; set; } = 11111;

    /// <summary>Where Orleans clients (the standalone API) connect.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// How often a silo probes each peer it watches, and how long it waits for the answer. With
    /// <see cref="MissedProbesLimit"/> 2, a killed silo is declared dead in about a second.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Missed probes in a row after which a silo suspects a peer.</summary>
    public int MissedProbesLimit { get; set; } = 2;

    /// <summary>
    /// Suspicions needed to declare a silo dead (Orleans caps it at half the active silos, rounded up). Two, so that one
    /// silo starved of CPU on shared cores cannot alone declare a healthy peer dead.
    /// </summary>
    public int DeathVotes { get; set; } = 2;

    /// <summary>How often each silo writes its I-am-alive time and re-reads the membership table.</summary>
    public TimeSpan TableRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);
}

public enum ClusterMembership
{
    Localhost,
    Postgres,
}
