using K2.Grains.Cluster;
using K2.Silo.Cluster;
using K2.Storage.Hosting;
using K2.Storage.Iceberg.Catalog;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace K2.Silo.Tests.Cluster;

public sealed class ClusterSchemaInitializerTests
{
    [Fact]
    public async Task PostgreSQL_that_never_answers_stops_the_silo_after_the_start_up_retries_naming_the_server()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = FreePort.Next(); // nothing listens there
        var time = new ManualTimeProvider();
        var started = time.GetUtcNow();
        var cluster = new SiloClusterOptions
        {
            Membership = ClusterMembership.Postgres,
            PostgresConnectionString = $"Host=127.0.0.1;Port={port};Username=k2;Password=secret;Database=k2;Timeout=2",
            AdvertisedAddress = "127.0.0.1",
        };
        var initializer = new ClusterSchemaInitializer(
            Options.Create(cluster), Options.Create(new StateDatabaseOptions()), time, NullLogger<ClusterSchemaInitializer>.Instance);

        var start = initializer.StartAsync(ct);
        foreach (var delay in StartupRetry.Delays)
        {
            await Eventually.TrueAsync(() => start.IsCompleted || time.ArmedTimers == 1, TimeSpan.FromSeconds(30), "the start neither waited nor ended", ct);
            start.IsCompleted.ShouldBeFalse("the start gave up before its last retry");
            time.Advance(delay);
        }

        var failure = await Should.ThrowAsync<ClusterStartException>(start);
        failure.Message.ShouldStartWith($"PostgreSQL at 127.0.0.1:{port} (cluster membership) could not be reached: ");
        failure.Message.ShouldNotContain("secret");
        (time.GetUtcNow() - started).ShouldBe(TimeSpan.FromSeconds(31));
    }
}
