using K2.Grains.Cluster;

namespace K2.Silo.Cluster;

/// <summary>
/// How the silo joins its cluster, bound from <c>K2:Cluster</c>: where to find it (<see cref="ClusterConnectionOptions"/>,
/// shared with the standalone API's client), and what only a silo needs: the address and ports it listens on, and how
/// it watches its peers.
/// </summary>
public sealed class SiloClusterOptions : ClusterConnectionOptions
{
    /// <summary>The address other silos and clients reach this silo at, and the one it listens on (in Kubernetes, the pod's IP).</summary>
    public string AdvertisedAddress { get; set; } = "";

    public int SiloPort { get; set; } = 11111;

    /// <summary>Where Orleans clients (the standalone API) connect.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The silo runs in a Kubernetes pod and uses Orleans' Kubernetes hosting beside the PostgreSQL membership
    /// (<see cref="KubernetesHosting"/>). Set by the manifests in deploy/k8s, never guessed from the environment.
    /// </summary>
    public bool Kubernetes { get; set; }

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
