using K2.Core;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;
using Microsoft.Extensions.Logging;

namespace K2.Storage.Schema;

/// <summary>
/// Brings the hot store's schema up to date: creates the database and the migrations table, then applies every
/// migration whose version is not recorded yet, recording each one after its statements succeed.
/// </summary>
public sealed partial class HotStoreMigrator(IClickHouseClient client, HotStoreOptions options, TimeProvider time, ILogger<HotStoreMigrator> logger)
{
    /// <summary>Applies pending migrations and returns how many ran.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken) => (await ApplyPendingAsync(cancellationToken)).Count;

    /// <summary>Applies pending migrations and returns them in the order they ran, so <c>k2 migrate</c> can say what it did.</summary>
    public async Task<IReadOnlyList<HotStoreMigration>> ApplyPendingAsync(CancellationToken cancellationToken)
    {
        var db = options.Database;
        if (!HotStoreOptions.IsValidDatabaseName(db))
        {
            throw new InvalidOperationException($"'{db}' is not a valid database name (lower-case letters, digits and '_').");
        }

        await client.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {db}", null, cancellationToken);
        await client.ExecuteAsync(
            $"""
            CREATE TABLE IF NOT EXISTS {db}.{HotStoreMigrations.MigrationsTable}
            (
                version    UInt32,
                name       String,
                applied_at DateTime64(6, 'UTC')
            )
            ENGINE = MergeTree
            ORDER BY version
            """,
            null, cancellationToken);

        var applied = await client.QueryAsync(
            $"SELECT DISTINCT version FROM {db}.{HotStoreMigrations.MigrationsTable}", null, ClickHouseFormats.RowBinary,
            static data =>
            {
                var versions = new HashSet<int>();
                var reader = new RowBinaryReader(data);
                while (!reader.End)
                {
                    versions.Add((int)reader.ReadUInt32());
                }

                return versions;
            },
            cancellationToken);

        var ran = new List<HotStoreMigration>();
        foreach (var migration in HotStoreMigrations.All.Where(m => !applied.Contains(m.Version)).OrderBy(m => m.Version))
        {
            foreach (var statement in HotStoreMigrations.Render(migration, db))
            {
                await client.ExecuteAsync(statement, null, cancellationToken);
            }

            await client.ExecuteAsync(
                $"INSERT INTO {db}.{HotStoreMigrations.MigrationsTable} (version, name, applied_at) " +
                "VALUES ({version:UInt32}, {name:String}, {applied_at:DateTime64(6, 'UTC')})",
                new ClickHouseParameters()
                    .Add("version", migration.Version)
                    .Add("name", migration.Name)
                    .Add("applied_at", UnixMicros.Now(time)),
                cancellationToken);
            LogApplied(logger, migration.Version, migration.Name, db);
            ran.Add(migration);
        }

        return ran;
    }

    [LoggerMessage(EventId = StorageEventIds.MigrationApplied, Level = LogLevel.Information,
        Message = "Applied hot-store migration {Version} ({Name}) to database {Database}")]
    private static partial void LogApplied(ILogger logger, int version, string name, string database);
}
