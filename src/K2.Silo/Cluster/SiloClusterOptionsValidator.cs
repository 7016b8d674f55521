using System.Net;
using K2.Storage.Hosting;
using K2.Storage.Iceberg.Catalog;
using Microsoft.Extensions.Options;

namespace K2.Silo.Cluster;

/// <summary>Refuses a cluster configuration a silo could not join with, naming each key.</summary>
internal sealed class SiloClusterOptionsValidator(IOptions<StateDatabaseOptions> state) : IValidateOptions<SiloClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloClusterOptions options)
    {
        var problems = new SectionProblems(SiloClusterOptions.Section);
        switch (options.Membership)
        {
            case ClusterMembership.Localhost:
                return ValidateOptionsResult.Success;
            case ClusterMembership.Postgres:
                break;
            default:
                problems.Add(nameof(options.Membership), $"must be Localhost or Postgres (is {options.Membership}).");
                return problems.ToResult();
        }

        problems.NotEmpty(nameof(options.ClusterId), options.ClusterId);
        problems.NotEmpty(nameof(options.ServiceId), options.ServiceId);
        if (options.PostgresConnectionString.Length == 0 && state.Value.Kind != StateDatabaseKind.Postgres)
        {
            problems.Add(nameof(options.PostgresConnectionString),
                $"must be set, or {StateDatabaseOptions.Section}:Kind be Postgres with a connection string, for membership in PostgreSQL.");
        }

        if (!IPAddress.TryParse(options.AdvertisedAddress, out var advertised) || advertised.Equals(IPAddress.Any) || advertised.Equals(IPAddress.IPv6Any))
        {
            problems.Add(nameof(options.AdvertisedAddress),
                $"must be the IP address other silos reach this one at, e.g. the pod's IP (is '{options.AdvertisedAddress}').");
        }

        problems.Between(nameof(options.SiloPort), options.SiloPort, 1, 65535, "a TCP port");
        problems.Between(nameof(options.GatewayPort), options.GatewayPort, 1, 65535, "a TCP port");
        if (options.SiloPort == options.GatewayPort)
        {
            problems.Add(nameof(options.GatewayPort), $"must differ from SiloPort (both {options.SiloPort}).");
        }

        problems.Positive(nameof(options.ProbeTimeout), options.ProbeTimeout);
        problems.AtLeast(nameof(options.MissedProbesLimit), options.MissedProbesLimit, 1);
        problems.AtLeast(nameof(options.DeathVotes), options.DeathVotes, 1);
        problems.Positive(nameof(options.TableRefreshInterval), options.TableRefreshInterval);
        return problems.ToResult();
    }
}
