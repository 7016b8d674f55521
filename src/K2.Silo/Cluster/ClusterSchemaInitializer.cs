using System.Net.Sockets;
using K2.Storage.Hosting;
using K2.Storage.Iceberg.Catalog;
using Microsoft.Extensions.Options;
using Npgsql;

namespace K2.Silo.Cluster;

/// <summary>
/// Brings the PostgreSQL database to the schema Orleans' membership and reminder providers expect, before the silo
/// joins: registered ahead of Orleans, so its start runs first. PostgreSQL that stays unreachable through
/// <see cref="StartupRetry"/> stops the silo with <see cref="ClusterStartException"/>.
/// </summary>
internal sealed partial class ClusterSchemaInitializer(
    IOptions<SiloClusterOptions> cluster, IOptions<StateDatabaseOptions> state, TimeProvider time, ILogger<ClusterSchemaInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connectionString = cluster.Value.MembershipConnectionString(state.Value);
        var server = Describe(connectionString);
        try
        {
            await StartupRetry.RunAsync(
                ct => OrleansPostgresSchema.ApplyAsync(connectionString, ct),
                IsUnavailable,
                (attempt, wait, e) => LogUnavailable(logger, server, attempt, wait, e.Message),
                time,
                cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw new ClusterStartException($"PostgreSQL at {server} (cluster membership) could not be reached: {e.Message}", e);
        }

        LogReady(logger, server);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Refused, reset or timed-out connections, and a server starting up or shutting down.</summary>
    private static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException postgres => postgres.SqlState is "57P03" or "57P01" or "53300",
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or TimeoutException or IOException,
        SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>Host and port, never the password.</summary>
    private static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}";
    }

    [LoggerMessage(EventId = ClusterEventIds.SchemaUnavailable, Level = LogLevel.Warning,
        Message = "PostgreSQL at {Server} is not reachable yet (attempt {Attempt}: {Reason}); trying again in {Wait}")]
    private static partial void LogUnavailable(ILogger logger, string server, int attempt, TimeSpan wait, string reason);

    [LoggerMessage(EventId = ClusterEventIds.SchemaReady, Level = LogLevel.Information, Message = "Cluster membership schema is current on PostgreSQL at {Server}")]
    private static partial void LogReady(ILogger logger, string server);
}
