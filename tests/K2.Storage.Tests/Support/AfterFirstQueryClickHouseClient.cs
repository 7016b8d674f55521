using K2.Storage.ClickHouse;

namespace K2.Storage.Tests.Support;

/// <summary>
/// Passes everything to <paramref name="inner"/> and, once the first query has returned, runs
/// <paramref name="afterFirstQuery"/> before handing the result back: lets another writer act in the middle of a job
/// that reads through this client, at a point the test chooses rather than one a race happens to hit.
/// </summary>
internal sealed class AfterFirstQueryClickHouseClient(IClickHouseClient inner, Func<CancellationToken, Task> afterFirstQuery) : IClickHouseClient
{
    private int _queries;

    public Task ExecuteAsync(string sql, ClickHouseParameters? parameters, CancellationToken cancellationToken) =>
        inner.ExecuteAsync(sql, parameters, cancellationToken);

    public async Task<T> QueryAsync<T>(
        string sql, ClickHouseParameters? parameters, string format, ClickHouseResultReader<T> read, CancellationToken cancellationToken)
    {
        var result = await inner.QueryAsync(sql, parameters, format, read, cancellationToken);
        if (Interlocked.Increment(ref _queries) == 1)
        {
            await afterFirstQuery(cancellationToken);
        }

        return result;
    }

    public Task QueryStreamAsync(string sql, ClickHouseParameters? parameters, string format, ClickHouseChunkWriter write, CancellationToken cancellationToken) =>
        inner.QueryStreamAsync(sql, parameters, format, write, cancellationToken);

    public Task<long> InsertAsync(string insertStatement, string format, ReadOnlyMemory<byte> data, string? deduplicationToken, CancellationToken cancellationToken) =>
        inner.InsertAsync(insertStatement, format, data, deduplicationToken, cancellationToken);
}
