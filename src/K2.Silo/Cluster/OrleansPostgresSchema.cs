using System.Data;
using System.Globalization;
using Npgsql;

namespace K2.Silo.Cluster;

/// <summary>
/// Brings a PostgreSQL database to K2's schema for Orleans' ADO.NET clustering and reminders providers (10.4.2), which
/// ship no SQL: their tables and the named statements they read from <c>OrleansQuery</c>. The schema is a series of
/// numbered migrations, the scripts <c>Cluster/OrleansSchema/NNNN_name.sql</c> embedded in this assembly; each is
/// applied once, in a transaction of its own, and recorded in <c>k2_orleans_migrations</c>. Silos that start together
/// take turns on a session advisory lock, so all but the first find nothing left to do.
/// </summary>
public static class OrleansPostgresSchema
{
    /// <summary>The manifest names of the scripts (set in K2.Silo.csproj): this prefix, then the script's file name.</summary>
    private const string ResourcePrefix = "K2.Silo.Cluster.OrleansSchema.";

    /// <summary>"K2ORLEAN" in ASCII: the advisory lock key of these migrations, which nothing else in K2 takes.</summary>
    private const long MigrationLockKey = 0x4B32_4F52_4C45_414E;

    /// <summary>The migrations in the order they apply, numbered 1, 2, 3... without gaps.</summary>
    internal static IReadOnlyList<OrleansSchemaMigration> Migrations { get; } = LoadMigrations();

    /// <summary>Applies the migrations the database has not recorded yet; returns when all are recorded.</summary>
    public static async Task ApplyAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS k2_orleans_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, cancellationToken);
            var applied = await AppliedVersionsAsync(connection, cancellationToken);
            foreach (var migration in Migrations.Where(m => !applied.Contains(m.Version)))
            {
                await ApplyAsync(connection, migration, cancellationToken);
            }
        }
        finally
        {
            // Closing hands a pooled connection back with its session, and the lock, still open: release it here. A
            // broken connection holds nothing, and unlocking it would only hide the error that broke it.
            if (connection.FullState == ConnectionState.Open)
            {
                await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
            }
        }
    }

    private static async Task ApplyAsync(NpgsqlConnection connection, OrleansSchemaMigration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var script = new NpgsqlCommand(migration.Sql, connection, transaction))
        {
            await script.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var record = new NpgsqlCommand("INSERT INTO k2_orleans_migrations (version, name) VALUES (@version, @name)", connection, transaction))
        {
            record.Parameters.AddWithValue("version", migration.Version);
            record.Parameters.AddWithValue("name", migration.Name);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<HashSet<int>> AppliedVersionsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT version FROM k2_orleans_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new HashSet<int>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static OrleansSchemaMigration[] LoadMigrations()
    {
        var assembly = typeof(OrleansPostgresSchema).Assembly;
        var migrations = assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(resource =>
            {
                // "0002_membership.sql": version 2, name "membership".
                var fileName = Path.GetFileNameWithoutExtension(resource[ResourcePrefix.Length..]);
                var separator = fileName.IndexOf('_', StringComparison.Ordinal);
                using var stream = assembly.GetManifestResourceStream(resource)!;
                using var text = new StreamReader(stream);
                return new OrleansSchemaMigration(
                    int.Parse(fileName[..separator], NumberStyles.None, CultureInfo.InvariantCulture), fileName[(separator + 1)..], text.ReadToEnd());
            })
            .OrderBy(m => m.Version)
            .ToArray();
        if (migrations.Length == 0)
        {
            throw new InvalidOperationException($"No Orleans schema migrations are embedded (resources named {ResourcePrefix}*.sql).");
        }

        for (var i = 0; i < migrations.Length; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException(
                    $"Orleans schema migrations must be numbered 1, 2, 3... without gaps; found {migrations[i].Version} ({migrations[i].Name}) at position {i + 1}.");
            }
        }

        return migrations;
    }
}
