using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;

namespace K2.Silo.Tests.Cluster;

/// <summary>
/// Orleans' own ADO.NET membership table (Microsoft.Orleans.Clustering.AdoNet) over a database that only
/// <see cref="K2.Silo.Cluster.OrleansPostgresSchema"/> prepared: rows are written only against the current table
/// version, read back exactly, and removed per silo (defunct) or per cluster; clients find the gateways among them.
/// </summary>
public sealed class PostgresMembershipTableTests(OrleansPostgres postgres) : IClassFixture<OrleansPostgres>, IDisposable
{
    private const string Cluster = "k2-a";
    private const string OtherCluster = "k2-b";

    /// <summary>Whole milliseconds: the provider writes suspicion times to the millisecond.</summary>
    private static readonly DateTime T0 = new(2026, 12, 6, 4, 0, 0, 250, DateTimeKind.Utc);

    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Rows_are_inserted_and_updated_only_against_the_current_version_and_read_back_exactly()
    {
        var connectionString = await postgres.CreateSchemaDatabaseAsync(Ct);
        var table = await OpenAsync(connectionString, Cluster);

        var empty = await table.ReadAllAsync(Ct);
        empty.Members.ShouldBeEmpty();
        (empty.Version.Version, empty.Version.VersionEtag).ShouldBe((0, "0"));

        var a = Entry(11111, 1, SiloStatus.Joining, T0, T0);
        (await table.InsertRowAsync(a, empty.Version.Next(), Ct)).ShouldBeTrue();
        (await table.InsertRowAsync(a, empty.Version.Next(), Ct)).ShouldBeFalse("the version is no longer 0");
        var b = Entry(11112, 2, SiloStatus.Joining, T0, T0);
        (await table.InsertRowAsync(b, empty.Version.Next(), Ct)).ShouldBeFalse("the version is no longer 0");

        var afterInsert = await table.ReadAllAsync(Ct);
        (afterInsert.Version.Version, afterInsert.Version.VersionEtag).ShouldBe((1, "1"));
        var (inserted, insertedEtag) = afterInsert.Members.ShouldHaveSingleItem();
        insertedEtag.ShouldBe("1");
        ShouldEqual(inserted, a);
        (await table.InsertRowAsync(a, afterInsert.Version.Next(), Ct)).ShouldBeFalse("the silo has a row already");

        var active = Entry(11111, 1, SiloStatus.Active, T0, T0.AddSeconds(5));
        active.SuspectTimes = [Tuple.Create(b.SiloAddress, T0.AddSeconds(3)), Tuple.Create(b.SiloAddress, T0.AddSeconds(4))];
        (await table.UpdateRowAsync(active, "1", afterInsert.Version.Next(), Ct)).ShouldBeTrue();
        var dead = Entry(11111, 1, SiloStatus.Dead, T0, T0.AddSeconds(6));
        (await table.UpdateRowAsync(dead, "1", afterInsert.Version.Next(), Ct)).ShouldBeFalse("the version is no longer 1");
        (await table.UpdateRowAsync(b, "2", new TableVersion(3, "2"), Ct)).ShouldBeFalse("b has no row");

        var row = await table.ReadRowAsync(a.SiloAddress, Ct);
        (row.Version.Version, row.Version.VersionEtag).ShouldBe((2, "2"));
        var (updated, updatedEtag) = row.Members.ShouldHaveSingleItem();
        updatedEtag.ShouldBe("2");
        ShouldEqual(updated, active);
        var missing = await table.ReadRowAsync(b.SiloAddress, Ct);
        missing.Members.ShouldBeEmpty();
        missing.Version.Version.ShouldBe(2);

        active.IAmAliveTime = T0.AddSeconds(10);
        await table.UpdateIAmAliveAsync(active, Ct);

        var afterHeartbeat = await table.ReadAllAsync(Ct);
        afterHeartbeat.Version.Version.ShouldBe(2, "a heartbeat is not a versioned change");
        ShouldEqual(afterHeartbeat.Members.ShouldHaveSingleItem().Item1, active);
    }

    [Fact]
    public async Task Cleanup_removes_the_dead_silos_whose_start_heartbeat_and_suspicions_all_precede_the_date()
    {
        var connectionString = await postgres.CreateSchemaDatabaseAsync(Ct);
        var table = await OpenAsync(connectionString, Cluster);
        var other = await OpenAsync(connectionString, OtherCluster);
        var cutoff = T0.AddMinutes(10);
        var deadLongAgo = Entry(20001, 1, SiloStatus.Dead, T0, T0.AddMinutes(1));
        var deadRecently = Entry(20002, 1, SiloStatus.Dead, T0, T0.AddMinutes(20));
        var activeQuiet = Entry(20003, 1, SiloStatus.Active, T0, T0.AddMinutes(1));
        var deadRecentlySuspected = Entry(20004, 1, SiloStatus.Dead, T0, T0.AddMinutes(1));
        foreach (var entry in (MembershipEntry[])[deadLongAgo, deadRecently, activeQuiet, deadRecentlySuspected])
        {
            await InsertAsync(table, entry);
        }

        deadRecentlySuspected.SuspectTimes = [Tuple.Create(activeQuiet.SiloAddress, T0.AddMinutes(15))];
        var version = (await table.ReadAllAsync(Ct)).Version;
        (await table.UpdateRowAsync(deadRecentlySuspected, version.VersionEtag, version.Next(), Ct)).ShouldBeTrue();
        var otherDead = Entry(20001, 1, SiloStatus.Dead, T0, T0.AddMinutes(1));
        await InsertAsync(other, otherDead);

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(cutoff), Ct);

        (await table.ReadAllAsync(Ct)).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).Order()
            .ShouldBe([20002, 20003, 20004]);
        (await other.ReadAllAsync(Ct)).Members.Select(m => m.Item1.SiloAddress).ShouldBe([otherDead.SiloAddress]);
    }

    [Fact]
    public async Task Deleting_a_clusters_entries_removes_its_rows_and_version_and_leaves_other_clusters()
    {
        var connectionString = await postgres.CreateSchemaDatabaseAsync(Ct);
        var table = await OpenAsync(connectionString, Cluster);
        var other = await OpenAsync(connectionString, OtherCluster);
        await InsertAsync(table, Entry(30001, 1, SiloStatus.Active, T0, T0));
        await InsertAsync(table, Entry(30002, 1, SiloStatus.Dead, T0, T0));
        await InsertAsync(other, Entry(30001, 1, SiloStatus.Active, T0, T0));

        await table.DeleteMembershipTableEntriesAsync(Cluster, Ct);

        (await CountAsync(connectionString, "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = @cluster", Cluster)).ShouldBe(0);
        (await CountAsync(connectionString, "SELECT count(*) FROM OrleansMembershipVersionTable WHERE DeploymentId = @cluster", Cluster)).ShouldBe(0);
        var kept = await other.ReadAllAsync(Ct);
        kept.Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).ShouldBe([30001]);
        kept.Version.Version.ShouldBe(1);

        var reopened = await OpenAsync(connectionString, Cluster);
        var fresh = await reopened.ReadAllAsync(Ct);
        fresh.Members.ShouldBeEmpty();
        fresh.Version.Version.ShouldBe(0);
    }

    [Fact]
    public async Task Clients_get_the_active_silos_that_listen_for_them_as_gateways()
    {
        var connectionString = await postgres.CreateSchemaDatabaseAsync(Ct);
        var table = await OpenAsync(connectionString, Cluster);
        var gateway = Entry(40001, 1, SiloStatus.Active, T0, T0);
        await InsertAsync(table, gateway);
        await InsertAsync(table, Entry(40002, 1, SiloStatus.Joining, T0, T0));
        var noGateway = Entry(40003, 1, SiloStatus.Active, T0, T0);
        noGateway.ProxyPort = 0;
        await InsertAsync(table, noGateway);
        await InsertAsync(await OpenAsync(connectionString, OtherCluster), Entry(40004, 1, SiloStatus.Active, T0, T0));
        var gateways = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance,
            _services,
            Options.Create(new AdoNetClusteringClientOptions { Invariant = OrleansPostgres.Invariant, ConnectionString = connectionString }),
            Options.Create(new GatewayOptions()),
            Options.Create(new ClusterOptions { ClusterId = Cluster, ServiceId = "k2" }));
        await gateways.InitializeGatewayListProviderAsync(Ct);

        (await gateways.GetGatewaysAsync(Ct)).ShouldBe([SiloAddress.New(IPAddress.Loopback, gateway.ProxyPort, 1).ToGatewayUri()]);
    }

    /// <summary>The table as a silo of <paramref name="clusterId"/> starts it: the cluster's version row is created if missing.</summary>
    private async Task<AdoNetClusteringTable> OpenAsync(string connectionString, string clusterId)
    {
        var table = new AdoNetClusteringTable(
            _services,
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "k2" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = OrleansPostgres.Invariant, ConnectionString = connectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, Ct);
        return table;
    }

    private static async Task InsertAsync(AdoNetClusteringTable table, MembershipEntry entry)
    {
        var version = (await table.ReadAllAsync(Ct)).Version;
        (await table.InsertRowAsync(entry, version.Next(), Ct)).ShouldBeTrue();
    }

    private static MembershipEntry Entry(int port, int generation, SiloStatus status, DateTime startTime, DateTime iAmAliveTime) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, generation),
        SiloName = $"silo-{port}",
        HostName = "k2-host",
        Status = status,
        ProxyPort = port + 10000,
        StartTime = startTime,
        IAmAliveTime = iAmAliveTime,
    };

    private static void ShouldEqual(MembershipEntry actual, MembershipEntry expected)
    {
        actual.SiloAddress.ShouldBe(expected.SiloAddress);
        actual.SiloName.ShouldBe(expected.SiloName);
        actual.HostName.ShouldBe(expected.HostName);
        actual.Status.ShouldBe(expected.Status);
        actual.ProxyPort.ShouldBe(expected.ProxyPort);
        actual.StartTime.ShouldBe(expected.StartTime);
        actual.IAmAliveTime.ShouldBe(expected.IAmAliveTime);
        (actual.SuspectTimes ?? []).Select(s => (s.Item1, s.Item2)).ShouldBe((expected.SuspectTimes ?? []).Select(s => (s.Item1, s.Item2)));
    }

    private static async Task<long> CountAsync(string connectionString, string sql, string cluster)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("cluster", cluster);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
