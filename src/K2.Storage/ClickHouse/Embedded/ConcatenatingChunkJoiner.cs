namespace K2.Storage.ClickHouse.Embedded;

/// <summary>For formats without a header or footer (CSV, TabSeparated, JSONEachRow, RowBinary): pieces are written as they come.</summary>
internal sealed class ConcatenatingChunkJoiner(ClickHouseChunkWriter output) : IChunkJoiner
{
    public ValueTask AddAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken) => output(chunk, cancellationToken);

    public ValueTask CompleteAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
