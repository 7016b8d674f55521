using System.Buffers;

namespace K2.Storage.ClickHouse.Embedded;

/// <summary>
/// One block's streamed output, left in chDB's memory and handed to the writer as it is: the chunk result is destroyed
/// once the writer is done with it (<see cref="Release"/>), on whatever thread that is. A copy into a managed array
/// cost a memory copy per block and, since a block of CSV is over a megabyte, arrays in the large-object heap: the
/// first CSV export of 1M cold trades grew k2's managed heap by 13 to 29 MB with copies in pooled arrays, and by 5 to
/// 6 MB without them (smaps of a fresh k2, one run each).
/// </summary>
internal sealed unsafe class NativeChunk : MemoryManager<byte>
{
    private readonly byte* _data;
    private readonly int _length;
    private nint _result;

    /// <param name="result">A fetched chunk result with output; this chunk destroys it.</param>
    /// <param name="length">Its length, already checked to fit in a span.</param>
    public NativeChunk(nint result, int length)
    {
        _result = result;
        _data = ChdbNative.chdb_result_buffer(result);
        _length = length;
    }

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_result == 0, this);
        return new Span<byte>(_data, _length);
    }

    /// <summary>The memory is native and never moves: pinning is a pointer.</summary>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_result == 0, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)_length, nameof(elementIndex));
        return new MemoryHandle(_data + elementIndex);
    }

    public override void Unpin()
    {
    }

    /// <summary>Destroys the chunk result; the chunk's memory must not be used afterwards. Idempotent.</summary>
    public void Release() => ((IDisposable)this).Dispose();

    protected override void Dispose(bool disposing)
    {
        var result = Interlocked.Exchange(ref _result, 0);
        if (result != 0)
        {
            ChdbNative.chdb_destroy_query_result(result);
        }
    }
}
