namespace K2.Silo.Cluster;

/// <summary>Log event ids of cluster membership (1300-1399 of K2.Silo's 1000-1999), so operators can grep one id across silos.</summary>
public static class ClusterEventIds
{
    public const int SchemaUnavailable = 1301;
    public const int SchemaReady = 1302;
}
