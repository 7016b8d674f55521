using System.Collections.Concurrent;
using System.Net;
using K2.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace K2.Silo.Tests.Cluster;

/// <summary>
/// Two silos of one cluster on loopback, their membership in PostgreSQL through Orleans' ADO.NET clustering provider
/// over K2's schema. Plain hosts rather than Orleans' in-process test cluster: that cluster registers its own in-memory
/// membership table after the test's silo configuration, which would replace the provider under test.
/// </summary>
public sealed class AdoNetClusterTests(OrleansPostgres postgres) : IClassFixture<OrleansPostgres>
{
    private const int Active = 3;
    private const int Dead = 6;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Both_silos_are_active_in_the_table_and_the_survivor_declares_a_vanished_one_dead()
    {
        var connectionString = await postgres.CreateSchemaDatabaseAsync(Ct);
        // The silo to vanish connects as a role of its own, so that it can be cut off from the table.
        var vanishingRole = $"k2_silo_{Guid.NewGuid():N}"[..20];
        await ExecuteAsync(connectionString,
            $"CREATE ROLE {vanishingRole} LOGIN; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {vanishingRole}");
        var clusterId = $"k2-{Guid.NewGuid():N}"[..16];
        var asVanishingRole = new NpgsqlConnectionStringBuilder(connectionString) { Username = vanishingRole }.ConnectionString;
        var silos = await Task.WhenAll(StartSiloAsync(connectionString, clusterId, "silo-a"), StartSiloAsync(asVanishingRole, clusterId, "silo-b"));
        await using var survivor = silos[0];
        await using var vanishing = silos[1];

        await Eventually.TrueAsync(
            async () => (await MembersAsync(connectionString, clusterId)).Select(m => (m.Silo, m.Status)).SequenceEqual([("silo-a", Active), ("silo-b", Active)]),
            Patience, "both silos did not become active in the membership table", Ct);

        // A silo that stops as Orleans' test cluster kills one (its stop token already cancelled) still writes itself
        // dead; without write access to the table it cannot, and only the survivor's failure detection can.
        await ExecuteAsync(connectionString,
            $"REVOKE INSERT, UPDATE, DELETE ON OrleansMembershipTable, OrleansMembershipVersionTable FROM {vanishingRole}");
        // It retries those writes for MaxJoinAttemptTime (minutes by default) before it stops answering probes. The
        // options object is the one the silo reads on each retry; now that it has joined, a second will do.
        vanishing.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value.MaxJoinAttemptTime = TimeSpan.FromSeconds(1);
        var stopping = vanishing.StopAsync(new CancellationToken(canceled: true));

        await Eventually.TrueAsync(
            async () => (await MembersAsync(connectionString, clusterId)).Select(m => (m.Silo, m.Status)).SequenceEqual([("silo-a", Active), ("silo-b", Dead)]),
            Patience, "the vanished silo was not declared dead", Ct);
        var declared = (await MembersAsync(connectionString, clusterId)).Single(m => m.Silo == "silo-b");
        // "suspecting silo,time|...": the survivor's votes only (a suspicion, then the declaration).
        declared.SuspectTimes.ShouldNotBeNull().Split('|').Select(vote => vote.Split(',')[0]).Distinct().ShouldBe([survivor.Address.ToParsableString()]);
        await stopping;
        survivor.FatalErrors.Contexts.ShouldBeEmpty();
    }

    /// <summary>A silo with no grains of its own: membership is all it does here. What it finds fatal is only recorded.</summary>
    private static async Task<SiloHost> StartSiloAsync(string connectionString, string clusterId, string name)
    {
        var fatalErrors = new FatalErrors();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = name, DisableDefaults = true });
        builder.UseOrleans(silo => silo
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = "k2-cluster-test";
            })
            .Configure<SiloOptions>(o => o.SiloName = name)
            .ConfigureEndpoints(IPAddress.Loopback, FreePort.Next(), FreePort.Next(), listenOnAnyHostAddress: false)
            // Failure detection in about a second, as in the project's two-silo measurements.
            .Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            })
            .UseAdoNetClustering(o =>
            {
                o.Invariant = OrleansPostgres.Invariant;
                o.ConnectionString = connectionString;
            })
            .ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<IFatalErrorHandler>(fatalErrors))));
        var host = builder.Build();
        try
        {
            await host.StartAsync(Ct);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new SiloHost(host, fatalErrors);
    }

    private static async Task<List<(string Silo, int Status, string? SuspectTimes)>> MembersAsync(string connectionString, string clusterId)
    {
        var rows = new List<(string, int, string?)>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "SELECT SiloName, Status, SuspectTimes FROM OrleansMembershipTable WHERE DeploymentId = @cluster ORDER BY SiloName", connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            rows.Add((reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return rows;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>A started silo host; disposing stops it (once) and releases it.</summary>
    private sealed class SiloHost(IHost host, FatalErrors fatalErrors) : IAsyncDisposable
    {
        private bool _stopped;

        public IServiceProvider Services => host.Services;

        public FatalErrors FatalErrors => fatalErrors;

        public SiloAddress Address { get; } = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            await host.StopAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                await StopAsync(limit.Token);
            }

            host.Dispose();
        }
    }

    /// <summary>
    /// Records what a silo found fatal (a silo told it is dead, for one) instead of Orleans' default, which ends the
    /// process: here that would be the test run.
    /// </summary>
    private sealed class FatalErrors : IFatalErrorHandler
    {
        private readonly ConcurrentQueue<string> _contexts = new();

        public IReadOnlyCollection<string> Contexts => _contexts;

        public bool IsUnexpected(Exception exception) => true;

        public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null) =>
            _contexts.Enqueue($"{context}: {exception?.Message}");
    }
}
