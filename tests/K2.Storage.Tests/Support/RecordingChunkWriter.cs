using System.Buffers;
using K2.Storage.ClickHouse;

namespace K2.Storage.Tests.Support;

/// <summary>
/// A <see cref="ClickHouseChunkWriter"/> that keeps every byte it is given and counts the writes, with an optional
/// hook that runs after each write (to cancel, block or fail at a chosen piece).
/// </summary>
internal sealed class RecordingChunkWriter(Func<int, CancellationToken, ValueTask>? afterWrite = null)
{
    private readonly ArrayBufferWriter<byte> _bytes = new();
    private int _writes;

    public int Writes => Volatile.Read(ref _writes);

    public byte[] Bytes => _bytes.WrittenSpan.ToArray();

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        chunk.Length.ShouldBeGreaterThan(0, "a streamed piece is never empty");
        _bytes.Write(chunk.Span);
        var writes = Interlocked.Increment(ref _writes);
        if (afterWrite is not null)
        {
            await afterWrite(writes, cancellationToken);
        }
    }
}
