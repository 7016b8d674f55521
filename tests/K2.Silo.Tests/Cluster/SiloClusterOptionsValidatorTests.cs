using K2.Grains.Cluster;
using K2.Silo.Cluster;
using K2.Storage.Iceberg.Catalog;
using Microsoft.Extensions.Options;

namespace K2.Silo.Tests.Cluster;

public sealed class SiloClusterOptionsValidatorTests
{
    private static SiloClusterOptions Postgres() => new()
    {
        Membership = ClusterMembership.Postgres,
        PostgresConnectionString = "Host=127.0.0.1;Port=5432;Username=k2;Database=k2",
        AdvertisedAddress = "10.0.0.7",
    };

    private static ValidateOptionsResult Validate(SiloClusterOptions options, StateDatabaseOptions? state = null) =>
        new SiloClusterOptionsValidator(Options.Create(state ?? new StateDatabaseOptions())).Validate(null, options);

    [Fact]
    public void One_silo_on_loopback_needs_nothing_else()
    {
        Validate(new SiloClusterOptions()).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void A_complete_PostgreSQL_cluster_is_accepted_and_its_membership_uses_its_own_connection_string()
    {
        var options = Postgres();
        var state = new StateDatabaseOptions { Kind = StateDatabaseKind.Postgres, PostgresConnectionString = "Host=state" };

        Validate(options, state).Succeeded.ShouldBeTrue();
        options.MembershipConnectionString(state).ShouldBe("Host=127.0.0.1;Port=5432;Username=k2;Database=k2");
    }

    [Fact]
    public void Without_a_connection_string_of_its_own_membership_uses_the_state_databases()
    {
        var options = Postgres();
        options.PostgresConnectionString = "";
        var state = new StateDatabaseOptions { Kind = StateDatabaseKind.Postgres, PostgresConnectionString = "Host=state" };

        Validate(options, state).Succeeded.ShouldBeTrue();
        options.MembershipConnectionString(state).ShouldBe("Host=state");
    }

    [Fact]
    public void Every_wrong_setting_is_named()
    {
        var options = new SiloClusterOptions
        {
            Membership = ClusterMembership.Postgres,
            ClusterId = "",
            AdvertisedAddress = "0.0.0.0",
            SiloPort = 0,
            GatewayPort = 70000,
            ProbeTimeout = TimeSpan.Zero,
            MissedProbesLimit = 0,
            DeathVotes = 0,
        };

        Validate(options).Failures.ShouldBe(
        [
            "K2:Cluster: ClusterId must not be empty.",
            "K2:Cluster: PostgresConnectionString must be set, or K2:State:Kind be Postgres with a connection string, for membership in PostgreSQL.",
            "K2:Cluster: AdvertisedAddress must be the IP address other silos reach this one at, e.g. the pod's IP (is '0.0.0.0').",
            "K2:Cluster: SiloPort must be between 1 and 65535, a TCP port (is 0).",
            "K2:Cluster: GatewayPort must be between 1 and 65535, a TCP port (is 70000).",
            "K2:Cluster: ProbeTimeout must be positive and finite (is 00:00:00).",
            "K2:Cluster: MissedProbesLimit must be at least 1 (is 0).",
            "K2:Cluster: DeathVotes must be at least 1 (is 0).",
        ]);
    }

    [Fact]
    public void A_host_name_is_not_an_advertised_address_and_the_two_ports_must_differ()
    {
        var options = Postgres();
        options.AdvertisedAddress = "k2-silo-0.k2";
        options.GatewayPort = options.SiloPort;

        Validate(options).Failures.ShouldBe(
        [
            "K2:Cluster: AdvertisedAddress must be the IP address other silos reach this one at, e.g. the pod's IP (is 'k2-silo-0.k2').",
            "K2:Cluster: GatewayPort must differ from SiloPort (both 11111).",
        ]);
    }
}
