using K2.Storage.ClickHouse;

namespace K2.Storage.Tests.Support;

/// <summary>
/// A store that stays down. Every insert fails with <see cref="ClickHouseException"/>; with <c>failWhenCancelled</c>
/// an insert instead hangs until its token is cancelled and then fails with a store error, as a transport does when
/// shutdown tears down a connection that was still trying.
/// </summary>
internal sealed class DownClickHouseClient(bool failWhenCancelled = false) : IClickHouseClient
{
    private int _attempts;

    public int Attempts => Volatile.Read(ref _attempts);

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task ExecuteAsync(string sql, ClickHouseParameters? parameters, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<T> QueryAsync<T>(string sql, ClickHouseParameters? parameters, string format, ClickHouseResultReader<T> read, CancellationToken cancellationToken) =>
        Task.FromResult(read([]));

    public Task QueryStreamAsync(string sql, ClickHouseParameters? parameters, string format, ClickHouseChunkWriter write, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public async Task<long> InsertAsync(string insertStatement, string format, ReadOnlyMemory<byte> data, string? deduplicationToken, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        Entered.TrySetResult();
        if (failWhenCancelled)
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Shutdown gave up on this insert; the transport reports it as a store error, not a cancellation.
            }

            throw new ClickHouseException("Code: 210. DB::NetException: Connection reset by peer (simulated)");
        }

        throw new ClickHouseException("Code: 210. DB::NetException: Connection refused (simulated)");
    }
}
