using K2.Storage.ClickHouse;

namespace K2.Storage.Tests.Support;

/// <summary>A store that refuses the first <c>failures</c> inserts, then passes them to the real client.</summary>
internal sealed class FlakyClickHouseClient(IClickHouseClient inner, int failures) : IClickHouseClient
{
    private int _attempts;
    private long _rowsWritten;

    public int Attempts => Volatile.Read(ref _attempts);

    public int Failed => Math.Min(Attempts, failures);

    /// <summary>Rows the real client reported written.</summary>
    public long RowsWritten => Interlocked.Read(ref _rowsWritten);

    public Task ExecuteAsync(string sql, ClickHouseParameters? parameters, CancellationToken cancellationToken) =>
        inner.ExecuteAsync(sql, parameters, cancellationToken);

    public Task<T> QueryAsync<T>(string sql, ClickHouseParameters? parameters, string format, ClickHouseResultReader<T> read, CancellationToken cancellationToken) =>
        inner.QueryAsync(sql, parameters, format, read, cancellationToken);

    public Task QueryStreamAsync(string sql, ClickHouseParameters? parameters, string format, ClickHouseChunkWriter write, CancellationToken cancellationToken) =>
        inner.QueryStreamAsync(sql, parameters, format, write, cancellationToken);

    public async Task<long> InsertAsync(string insertStatement, string format, ReadOnlyMemory<byte> data, string? deduplicationToken, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _attempts) <= failures)
        {
            throw new ClickHouseException("Code: 210. DB::NetException: Connection refused (simulated)");
        }

        var rows = await inner.InsertAsync(insertStatement, format, data, deduplicationToken, cancellationToken);
        Interlocked.Add(ref _rowsWritten, rows);
        return rows;
    }
}
