using K2.Storage;
using K2.Storage.ClickHouse.Embedded;
using K2.Storage.Schema;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Testing;

/// <summary>
/// One embedded ClickHouse per test process (chDB allows one data path per process), shared by every test class
/// through an assembly fixture. Tests isolate themselves by database: <see cref="CreateDatabaseAsync"/> gives each
/// a fresh, migrated one.
/// </summary>
public sealed class EmbeddedClickHouseFixture : IDisposable
{
    private readonly TempDirectory _directory = new("k2-chdb");
    private int _databases;

    public EmbeddedClickHouseFixture()
    {
        ClickHouse = EmbeddedClickHouse.Open(
            new EmbeddedClickHouseOptions { DataPath = Path.Combine(_directory.Path, "hot") },
            NullLogger<EmbeddedClickHouse>.Instance);
    }

    public EmbeddedClickHouse ClickHouse { get; }

    /// <summary>A new database with every hot-store migration applied.</summary>
    public async Task<HotStoreOptions> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var options = new HotStoreOptions { Database = $"t{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..24] };
        await new HotStoreMigrator(ClickHouse, options, TimeProvider.System, NullLogger<HotStoreMigrator>.Instance)
            .MigrateAsync(cancellationToken);
        return options;
    }

    public void Dispose()
    {
        ClickHouse.Dispose();
        _directory.Dispose();
    }
}
