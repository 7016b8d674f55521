using System.Buffers;

namespace K2.Storage.ClickHouse.Embedded;

/// <summary>One block's streamed output, copied out of chDB's memory into an array rented from the shared pool.</summary>
internal readonly record struct PooledChunk(byte[] Array, int Length)
{
    public ReadOnlyMemory<byte> Memory => Array.AsMemory(0, Length);

    /// <summary>Copies <paramref name="source"/> into a rented array.</summary>
    public static PooledChunk CopyOf(ReadOnlySpan<byte> source)
    {
        var array = ArrayPool<byte>.Shared.Rent(source.Length);
        source.CopyTo(array);
        return new PooledChunk(array, source.Length);
    }

    /// <summary>Gives the array back to the pool; the chunk must not be used afterwards.</summary>
    public void Return() => ArrayPool<byte>.Shared.Return(Array);
}
