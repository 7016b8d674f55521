using System.Buffers;

namespace K2.Storage.ClickHouse.Http;

/// <summary>
/// A whole response body in one pooled array that grows by doubling, because result readers take a single span.
/// Returned to the pool on dispose, so repeated queries do not churn the large-object heap.
/// </summary>
internal sealed class PooledResponseBuffer : IDisposable
{
    private const int InitialSize = 64 * 1024;

    private byte[] _array;
    private int _length;

    private PooledResponseBuffer(int capacity) => _array = ArrayPool<byte>.Shared.Rent(capacity);

    public ReadOnlySpan<byte> Span => _array.AsSpan(0, _length);

    /// <summary>An empty buffer; <paramref name="expectedLength"/> sizes the first array when known.</summary>
    public static PooledResponseBuffer Create(long? expectedLength) =>
        new(expectedLength is > 0 and < int.MaxValue ? (int)expectedLength.Value + 1 : InitialSize);

    /// <summary>
    /// Appends <paramref name="stream"/> to its end. If reading fails, what arrived before the failure stays in
    /// <see cref="Span"/>: the end of a broken answer can say why it broke.
    /// </summary>
    public async Task AppendToEndAsync(Stream stream, CancellationToken cancellationToken)
    {
        int read;
        do
        {
            if (_length == _array.Length)
            {
                Grow();
            }

            read = await stream.ReadAsync(_array.AsMemory(_length), cancellationToken);
            _length += read;
        }
        while (read > 0);
    }

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, []);
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private void Grow()
    {
        if (_array.Length >= Array.MaxLength)
        {
            throw new ClickHouseException($"The result is larger than {Array.MaxLength} bytes, the most one reader can take; narrow the query.");
        }

        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)_array.Length * 2, Array.MaxLength));
        Span.CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = larger;
    }
}
