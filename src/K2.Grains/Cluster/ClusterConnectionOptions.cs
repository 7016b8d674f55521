using K2.Storage.Hosting;
using K2.Storage.Iceberg.Catalog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace K2.Grains.Cluster;

/// <summary>
/// How any K2 process finds its cluster, bound from <c>K2:Cluster</c>: a silo joining it, or the standalone API
/// connecting to it as an Orleans client. <see cref="ClusterMembership.Localhost"/> (the default) is one silo on its
/// own, which no client reaches; <see cref="ClusterMembership.Postgres"/> is the membership table Orleans' ADO.NET
/// provider keeps in PostgreSQL, where silos register and clients find their gateways.
/// </summary>
public class ClusterConnectionOptions
{
    public const string Section = "K2:Cluster";

    /// <summary>The ADO.NET providers' name for Npgsql, which registers itself: no provider factory table is needed.</summary>
    public const string PostgresInvariant = "Npgsql";

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

    /// <summary>Whether <c>K2:Cluster:Membership</c> names PostgreSQL; any other value is the validator's to refuse.</summary>
    public static bool IsPostgres(IConfiguration configuration) =>
        Enum.TryParse<ClusterMembership>(configuration[$"{Section}:{nameof(Membership)}"], ignoreCase: true, out var membership)
        && membership == ClusterMembership.Postgres;

    /// <summary>
    /// The settings every member and client of a PostgreSQL cluster needs, added to <paramref name="problems"/>; false
    /// when the membership is not one a cluster can be reached over (nothing else is worth checking then). The state
    /// database's settings are read only for a PostgreSQL membership, so their own problems are not reported twice.
    /// </summary>
    public bool CheckConnection(SectionProblems problems, IOptions<StateDatabaseOptions> state)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(state);
        switch (Membership)
        {
            case ClusterMembership.Localhost:
                return false;
            case ClusterMembership.Postgres:
                break;
            default:
                problems.Add(nameof(Membership), $"must be Localhost or Postgres (is {Membership}).");
                return false;
        }

        problems.NotEmpty(nameof(ClusterId), ClusterId);
        problems.NotEmpty(nameof(ServiceId), ServiceId);
        if (PostgresConnectionString.Length == 0 && state.Value.Kind != StateDatabaseKind.Postgres)
        {
            problems.Add(nameof(PostgresConnectionString),
                $"must be set, or {StateDatabaseOptions.Section}:Kind be Postgres with a connection string, for membership in PostgreSQL.");
        }

        return true;
    }
}

public enum ClusterMembership
{
    Localhost,
    Postgres,
}
