namespace K2.Silo.Cluster;

/// <summary>The silo cannot join its cluster (PostgreSQL unreachable after the start-up retries); the message says why.</summary>
internal sealed class ClusterStartException(string message, Exception inner) : Exception(message, inner);
