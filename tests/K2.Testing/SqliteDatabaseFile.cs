using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace K2.Testing;

/// <summary>
/// A SQLite database in a file, as the embedded state database (catalog, watermarks, run log) uses one. Unpooled, so
/// disposing lets go of the file and its directory can be deleted.
/// </summary>
public sealed class SqliteDatabaseFile(string path) : IDisposable
{
    public DbDataSource DataSource { get; } = SqliteFactory.Instance.CreateDataSource(
        new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());

    public void Dispose() => DataSource.Dispose();
}
