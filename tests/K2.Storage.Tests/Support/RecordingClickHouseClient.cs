using System.Collections.Concurrent;
using System.Threading.Channels;
using K2.Storage.ClickHouse;

namespace K2.Storage.Tests.Support;

/// <summary>
/// Passes every call to an inner client (or answers inserts itself when there is none) and records what was sent;
/// <see cref="NextInsertAsync"/> is a barrier on completed inserts.
/// </summary>
internal sealed class RecordingClickHouseClient(IClickHouseClient? inner = null) : IClickHouseClient
{
    private readonly Channel<long> _completedInserts = Channel.CreateUnbounded<long>();

    public ConcurrentQueue<string> Statements { get; } = new();

    public ConcurrentQueue<byte[]> InsertedData { get; } = new();

    /// <summary>The deduplication token of every insert attempt, in order.</summary>
    public ConcurrentQueue<string?> DeduplicationTokens { get; } = new();

    public Task ExecuteAsync(string sql, ClickHouseParameters? parameters, CancellationToken cancellationToken)
    {
        Statements.Enqueue(sql);
        return inner?.ExecuteAsync(sql, parameters, cancellationToken) ?? Task.CompletedTask;
    }

    public Task<T> QueryAsync<T>(string sql, ClickHouseParameters? parameters, string format, ClickHouseResultReader<T> read, CancellationToken cancellationToken)
    {
        Statements.Enqueue(sql);
        return inner?.QueryAsync(sql, parameters, format, read, cancellationToken) ?? Task.FromResult(read([]));
    }

    public Task QueryStreamAsync(string sql, ClickHouseParameters? parameters, string format, ClickHouseChunkWriter write, CancellationToken cancellationToken)
    {
        Statements.Enqueue(sql);
        return inner?.QueryStreamAsync(sql, parameters, format, write, cancellationToken) ?? Task.CompletedTask;
    }

    public async Task<long> InsertAsync(string insertStatement, string format, ReadOnlyMemory<byte> data, string? deduplicationToken, CancellationToken cancellationToken)
    {
        Statements.Enqueue(insertStatement);
        InsertedData.Enqueue(data.ToArray());
        DeduplicationTokens.Enqueue(deduplicationToken);
        var rows = inner is null ? 0 : await inner.InsertAsync(insertStatement, format, data, deduplicationToken, cancellationToken);
        _completedInserts.Writer.TryWrite(rows);
        return rows;
    }

    /// <summary>Waits for the next insert to complete and returns the rows it wrote.</summary>
    public ValueTask<long> NextInsertAsync(CancellationToken cancellationToken) => _completedInserts.Reader.ReadAsync(cancellationToken);
}
