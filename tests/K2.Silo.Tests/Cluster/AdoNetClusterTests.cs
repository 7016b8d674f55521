using System.Net;
using K2.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
    public async Task Both_silos_are_active_in_the_table_and_a_killed_one_is_marked_dead()
    {
        var connectionString = await postgres.CreateSchemaDatabaseAsync(Ct);
        var clusterId = $"k2-{Guid.NewGuid():N}"[..16];
        var silos = await Task.WhenAll(StartSiloAsync(connectionString, clusterId, "silo-a"), StartSiloAsync(connectionString, clusterId, "silo-b"));
        await using var survivor = silos[0];
        var killed = silos[1];
        try
        {
            await Eventually.TrueAsync(
                async () => (await StatusesAsync(connectionString, clusterId)).SequenceEqual([("silo-a", Active), ("silo-b", Active)]),
                Patience, "both silos did not become active in the membership table", Ct);

            // As Orleans' test cluster kills a silo: a stop whose token is already cancelled, so nothing shuts down in order.
            await killed.StopAsync(new CancellationToken(canceled: true));

            await Eventually.TrueAsync(
                async () => (await StatusesAsync(connectionString, clusterId)).SequenceEqual([("silo-a", Active), ("silo-b", Dead)]),
                Patience, "the killed silo was not marked dead", Ct);
        }
        finally
        {
            await killed.DisposeAsync();
        }
    }

    /// <summary>A silo with no grains of its own: membership is all it does here.</summary>
    private static async Task<SiloHost> StartSiloAsync(string connectionString, string clusterId, string name)
    {
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
            }));
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

        return new SiloHost(host);
    }

    private static async Task<List<(string, int)>> StatusesAsync(string connectionString, string clusterId)
    {
        var rows = new List<(string, int)>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "SELECT SiloName, Status FROM OrleansMembershipTable WHERE DeploymentId = @cluster ORDER BY SiloName", connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            rows.Add((reader.GetString(0), reader.GetInt32(1)));
        }

        return rows;
    }

    /// <summary>A started silo host; disposing stops it (once) and releases it.</summary>
    private sealed class SiloHost(IHost host) : IAsyncDisposable
    {
        private bool _stopped;

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
}
