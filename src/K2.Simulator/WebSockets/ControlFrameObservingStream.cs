using System.Buffers.Binary;

namespace K2.Simulator.WebSockets;

/// <summary>
/// The upgraded connection's stream, passed through unchanged, with the client's frame headers read on the way
/// in. .NET's WebSocket answers PING and swallows PONG frames itself, so this is the only place the simulator can
/// see them, and Binance counts both against its incoming-message limit.
/// </summary>
/// <remarks>RFC 6455 §5.2: client frames are always masked; a header is 2 bytes, then 2 or 8 bytes of extended
/// payload length, then the 4-byte masking key.</remarks>
internal sealed class ControlFrameObservingStream(Stream inner, Action controlFrameReceived) : Stream
{
    private const byte OpcodeMask = 0x0F;
    private const byte PingOpcode = 0x9;
    private const byte PongOpcode = 0xA;
    private const byte MaskBit = 0x80;
    private const byte PayloadLengthMask = 0x7F;
    private const byte PayloadLength16 = 126;
    private const byte PayloadLength64 = 127;
    private const int MinHeaderLength = 2;
    private const int MaskingKeyLength = 4;
    private const int MaxHeaderLength = MinHeaderLength + sizeof(ulong) + MaskingKeyLength;

    private readonly byte[] _header = new byte[MaxHeaderLength];
    private int _headerLength;
    private long _payloadRemaining;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Observe(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Observe(buffer.Span[..read]);
        return read;
    }

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Observe(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_payloadRemaining > 0)
            {
                var skipped = (int)Math.Min(_payloadRemaining, data.Length);
                _payloadRemaining -= skipped;
                data = data[skipped..];
                continue;
            }

            _header[_headerLength++] = data[0];
            data = data[1..];
            if (_headerLength < MinHeaderLength || _headerLength < HeaderLength(_header[1]))
            {
                continue;
            }

            var opcode = _header[0] & OpcodeMask;
            _payloadRemaining = PayloadLength();
            _headerLength = 0;
            if (opcode is PingOpcode or PongOpcode)
            {
                controlFrameReceived();
            }
        }
    }

    private static int HeaderLength(byte second) =>
        MinHeaderLength
        + ((second & PayloadLengthMask) switch { PayloadLength16 => sizeof(ushort), PayloadLength64 => sizeof(ulong), _ => 0 })
        + ((second & MaskBit) != 0 ? MaskingKeyLength : 0);

    private long PayloadLength()
    {
        var length = _header[1] & PayloadLengthMask;
        return length switch
        {
            PayloadLength16 => BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(MinHeaderLength)),
            // The top bit must be 0 (RFC 6455 §5.2); masking it keeps a hostile length from going negative.
            PayloadLength64 => (long)(BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(MinHeaderLength)) & long.MaxValue),
            _ => length,
        };
    }
}
