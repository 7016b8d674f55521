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
        if (!options.CheckConnection(problems, state))
        {
            return problems.ToResult();
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
