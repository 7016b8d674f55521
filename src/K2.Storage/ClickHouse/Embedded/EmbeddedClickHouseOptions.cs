namespace K2.Storage.ClickHouse.Embedded;

/// <summary>Options for the in-process ClickHouse engine (chDB). Bound from <c>K2:Storage:Embedded</c>.</summary>
public sealed class EmbeddedClickHouseOptions
{
    public const string Section = "K2:Storage:Embedded";

    /// <summary>Directory that holds the hot store's data. One process owns it at a time.</summary>
    public string DataPath { get; set; } = Path.Combine("data", "hot");

    /// <summary>Path to <c>libchdb.so</c>; when empty, the default locations are searched.</summary>
    public string? LibraryPath { get; set; }

    /// <summary>Connections for queries. They run in parallel; each runs one statement at a time.</summary>
    public int QueryConnections { get; set; } = 4;

    /// <summary>Connections for inserts, kept apart so a long query never holds up ingest.</summary>
    public int InsertConnections { get; set; } = 2;

    /// <summary>
    /// Connections for streamed results (exports), kept apart from <see cref="QueryConnections"/>: a stream holds its
    /// connection until its reader has taken the last block, so slow readers must not take every query connection.
    /// Streams beyond this many wait for one to finish.
    /// </summary>
    public int StreamConnections { get; set; } = 2;
}
