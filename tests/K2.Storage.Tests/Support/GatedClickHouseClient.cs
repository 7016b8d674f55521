using System.Threading.Channels;
using K2.Storage.ClickHouse;

namespace K2.Storage.Tests.Support;

/// <summary>
/// A store whose inserts each wait for the test to open the gate: <see cref="EnteredAsync"/> is the barrier for
/// "an insert is in progress", <see cref="Release"/> lets that many complete. Records each insert's bytes.
/// </summary>
internal sealed class GatedClickHouseClient : IClickHouseClient
{
    private readonly SemaphoreSlim _gate = new(0);
    private readonly Channel<byte[]> _entered = Channel.CreateUnbounded<byte[]>();
    private int _completed;

    public int Completed => Volatile.Read(ref _completed);

    public Task ExecuteAsync(string sql, ClickHouseParameters? parameters, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<T> QueryAsync<T>(string sql, ClickHouseParameters? parameters, string format, ClickHouseResultReader<T> read, CancellationToken cancellationToken) =>
        Task.FromResult(read([]));

    public Task QueryStreamAsync(string sql, ClickHouseParameters? parameters, string format, ClickHouseChunkWriter write, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public async Task<long> InsertAsync(string insertStatement, string format, ReadOnlyMemory<byte> data, string? deduplicationToken, CancellationToken cancellationToken)
    {
        _entered.Writer.TryWrite(data.ToArray());
        await _gate.WaitAsync(cancellationToken);
        Interlocked.Increment(ref _completed);
        return 0;
    }

    /// <summary>Waits until an insert is waiting at the gate and returns the data it carries.</summary>
    public ValueTask<byte[]> EnteredAsync(CancellationToken cancellationToken) => _entered.Reader.ReadAsync(cancellationToken);

    public void Release(int inserts = 1) => _gate.Release(inserts);
}
