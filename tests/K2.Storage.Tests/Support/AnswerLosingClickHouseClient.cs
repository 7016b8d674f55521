using K2.Storage.ClickHouse;

namespace K2.Storage.Tests.Support;

/// <summary>
/// Passes everything to the real client, but when armed, an insert runs and then fails for its caller, as when the
/// answer to an insert that took effect is lost (a dropped connection, a client-side timeout). The embedded engine
/// cannot lose an answer on its own; this is how the contract puts it in that position.
/// </summary>
internal sealed class AnswerLosingClickHouseClient(IClickHouseClient inner) : IClickHouseClient
{
    private int _lossesLeft;

    /// <summary>The next <paramref name="count"/> inserts take effect but throw.</summary>
    public void LoseNextInsertAnswers(int count) => Volatile.Write(ref _lossesLeft, count);

    public Task ExecuteAsync(string sql, ClickHouseParameters? parameters, CancellationToken cancellationToken) =>
        inner.ExecuteAsync(sql, parameters, cancellationToken);

    public Task<T> QueryAsync<T>(string sql, ClickHouseParameters? parameters, string format, ClickHouseResultReader<T> read, CancellationToken cancellationToken) =>
        inner.QueryAsync(sql, parameters, format, read, cancellationToken);

    public Task QueryStreamAsync(string sql, ClickHouseParameters? parameters, string format, ClickHouseChunkWriter write, CancellationToken cancellationToken) =>
        inner.QueryStreamAsync(sql, parameters, format, write, cancellationToken);

    public async Task<long> InsertAsync(string insertStatement, string format, ReadOnlyMemory<byte> data, string? deduplicationToken, CancellationToken cancellationToken)
    {
        var written = await inner.InsertAsync(insertStatement, format, data, deduplicationToken, cancellationToken);
        if (Volatile.Read(ref _lossesLeft) > 0 && Interlocked.Decrement(ref _lossesLeft) >= 0)
        {
            throw new ClickHouseException("The answer to an insert that took effect was lost (simulated)", inner: new IOException("Connection reset (simulated)"));
        }

        return written;
    }
}
