using K2.Api.Cluster;
using K2.Grains.Cluster;
using K2.Storage.Iceberg.Catalog;
using Microsoft.Extensions.Options;

namespace K2.Api.Tests.Cluster;

public sealed class ClusterConnectionOptionsValidatorTests
{
    [Fact]
    public void A_postgres_membership_needs_ids_and_a_database_and_names_each_key()
    {
        var validator = new ClusterConnectionOptionsValidator(Options.Create(new StateDatabaseOptions()));

        var result = validator.Validate(null, new ClusterConnectionOptions { Membership = ClusterMembership.Postgres, ClusterId = "", ServiceId = " " });

        result.Failures.ShouldBe(
        [
            "K2:Cluster: ClusterId must not be empty.",
            "K2:Cluster: ServiceId must not be empty.",
            "K2:Cluster: PostgresConnectionString must be set, or K2:State:Kind be Postgres with a connection string, for membership in PostgreSQL.",
        ]);
        validator.Validate(null, new ClusterConnectionOptions { Membership = ClusterMembership.Postgres, PostgresConnectionString = "Host=db" })
            .Succeeded.ShouldBeTrue();
        validator.Validate(null, new ClusterConnectionOptions()).Succeeded.ShouldBeTrue("without a cluster nothing else is needed");
    }
}
