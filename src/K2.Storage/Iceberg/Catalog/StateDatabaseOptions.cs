namespace K2.Storage.Iceberg.Catalog;

/// <summary>
/// The state database: the Iceberg SQL catalog, offload watermarks, the run log and the maintenance audit. SQLite in a
/// file (embedded mode) or PostgreSQL (a cluster). Bound from <c>K2:State</c>.
/// </summary>
public sealed class StateDatabaseOptions
{
    public const string Section = "K2:State";

    public StateDatabaseKind Kind { get; set; } = StateDatabaseKind.Sqlite;

    /// <summary>The SQLite file; the silo sets it to <c>DATA/state/k2.db</c>.</summary>
    public string SqlitePath { get; set; } = "";

    public string PostgresConnectionString { get; set; } = "";

    /// <summary>The catalog name in the Iceberg JDBC catalog's tables; other engines pointed at the database use it too.</summary>
    public string CatalogName { get; set; } = "k2";
}

public enum StateDatabaseKind
{
    Sqlite,
    Postgres,
}
