using K2.Storage.ClickHouse;

namespace K2.Grains.Tests.Support;

/// <summary>
/// The real store behind a switch: while stalled, every statement waits (as on a server that stopped answering) until
/// <see cref="Resume"/>, or until its caller gives up. <see cref="Waiting"/> counts the statements held.
/// </summary>
internal sealed class StallingClickHouseClient(IClickHouseClient inner) : IClickHouseClient
{
    private TaskCompletionSource? _stalled;
    private int _waiting;

    public int Waiting => Volatile.Read(ref _waiting);

    public void Stall() => Interlocked.CompareExchange(ref _stalled, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    public void Resume() => Interlocked.Exchange(ref _stalled, null)?.SetResult();

    public async Task ExecuteAsync(string sql, ClickHouseParameters? parameters, CancellationToken cancellationToken)
    {
        await WhileStalledAsync(cancellationToken);
        await inner.ExecuteAsync(sql, parameters, cancellationToken);
    }

    public async Task<T> QueryAsync<T>(string sql, ClickHouseParameters? parameters, string format, ClickHouseResultReader<T> read, CancellationToken cancellationToken)
    {
        await WhileStalledAsync(cancellationToken);
        return await inner.QueryAsync(sql, parameters, format, read, cancellationToken);
    }

    public async Task QueryStreamAsync(string sql, ClickHouseParameters? parameters, string format, ClickHouseChunkWriter write, CancellationToken cancellationToken)
    {
        await WhileStalledAsync(cancellationToken);
        await inner.QueryStreamAsync(sql, parameters, format, write, cancellationToken);
    }

    public async Task<long> InsertAsync(string insertStatement, string format, ReadOnlyMemory<byte> data, string? deduplicationToken, CancellationToken cancellationToken)
    {
        await WhileStalledAsync(cancellationToken);
        return await inner.InsertAsync(insertStatement, format, data, deduplicationToken, cancellationToken);
    }

    private async Task WhileStalledAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _stalled) is not { } stalled)
        {
            return;
        }

        Interlocked.Increment(ref _waiting);
        try
        {
            await stalled.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }
}
