namespace K2.Storage.ClickHouse;

/// <summary>Decodes a whole query result, handed over as the bytes of the requested format.</summary>
public delegate T ClickHouseResultReader<out T>(ReadOnlySpan<byte> result);

/// <summary>
/// Takes the next piece of a streamed result. <paramref name="chunk"/> is valid only until the returned task completes
/// (its memory is reused afterwards); copy what must outlive it.
/// </summary>
public delegate ValueTask ClickHouseChunkWriter(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken);

/// <summary>
/// The one way K2 talks to ClickHouse, whichever transport carries it (embedded chDB or a server over HTTP).
/// Every value travels as a query parameter (<c>{name:Type}</c>); SQL text is never built from values.
/// </summary>
public interface IClickHouseClient
{
    /// <summary>Runs a statement that returns no rows (DDL, <c>INSERT … SELECT</c>, <c>OPTIMIZE</c>).</summary>
    Task ExecuteAsync(string sql, ClickHouseParameters? parameters, CancellationToken cancellationToken);

    /// <summary>Runs a query and decodes its result, delivered in <paramref name="format"/> (e.g. RowBinary).</summary>
    Task<T> QueryAsync<T>(string sql, ClickHouseParameters? parameters, string format, ClickHouseResultReader<T> read, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a <c>SELECT</c> and hands its result in <paramref name="format"/> to <paramref name="write"/> piece by piece
    /// as ClickHouse produces it, so a result of any size passes through bounded memory. <paramref name="format"/> must
    /// be one of <see cref="ClickHouseFormats.Streamable"/>. The pieces, in order, make one document of that format: the
    /// bytes <see cref="QueryAsync{T}"/> would return (for Parquet, one valid file with the same rows). Pieces are
    /// written one at a time, never concurrently.
    /// <para>
    /// Cancelling <paramref name="cancellationToken"/> or a <paramref name="write"/> that throws stops the query; when
    /// the returned task completes, nothing of the query runs any more. A query that fails before its first piece
    /// throws <see cref="ClickHouseException"/> before <paramref name="write"/> is called; one that fails later throws
    /// it after some pieces were written, and what was written is then a truncated document the caller must discard
    /// (an HTTP answer in progress must be aborted, not ended).
    /// </para>
    /// </summary>
    Task QueryStreamAsync(string sql, ClickHouseParameters? parameters, string format, ClickHouseChunkWriter write, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts rows already encoded in <paramref name="format"/>. <paramref name="insertStatement"/> is the INSERT without
    /// FORMAT clause or data, e.g. <c>INSERT INTO k2.silver_trades (a, b)</c>. Returns the rows written as the engine
    /// reports them (chDB counts the rows of a repeat it dropped too). <paramref name="deduplicationToken"/> names
    /// this batch of rows (ClickHouse's <c>insert_deduplication_token</c>): a table that keeps a deduplication window
    /// stores an insert repeated with the same token once, so retrying an insert whose answer was lost is safe. Null
    /// for none; see <see cref="InsertDeduplicationToken"/>.
    /// </summary>
    Task<long> InsertAsync(string insertStatement, string format, ReadOnlyMemory<byte> data, string? deduplicationToken, CancellationToken cancellationToken);
}
