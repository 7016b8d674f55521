using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace K2.Simulator.Tests.Support;

/// <summary>
/// A WebSocket client written at frame level (RFC 6455), so a test decides whether and when to answer PINGs and
/// can send control frames itself; <see cref="System.Net.WebSockets.ClientWebSocket"/> answers PINGs on its own.
/// </summary>
internal sealed class RawWebSocketClient : IDisposable
{
    public const byte TextOpcode = 0x1;
    public const byte CloseOpcode = 0x8;
    public const byte PingOpcode = 0x9;
    public const byte PongOpcode = 0xA;

    private const byte FinBit = 0x80;
    private const byte MaskBit = 0x80;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocketClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawWebSocketClient> ConnectAsync(Uri uri, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port, cancellationToken);
        var client = new RawWebSocketClient(tcp);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await client._stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken);

        // Read the response headers byte by byte, so no frame that follows them is consumed.
        var headers = new StringBuilder();
        var one = new byte[1];
        while (!headers.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await client._stream.ReadExactlyAsync(one, cancellationToken);
            headers.Append((char)one[0]);
        }

        Assert.StartsWith("HTTP/1.1 101", headers.ToString(), StringComparison.Ordinal);
        return client;
    }

    /// <summary>The next frame, or null when the server closed or cut the connection.</summary>
    public async Task<(byte Opcode, byte[] Payload)?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        try
        {
            var header = new byte[2];
            await _stream.ReadExactlyAsync(header, cancellationToken);
            long length = header[1] & 0x7F;
            if (length == 126)
            {
                var extended = new byte[2];
                await _stream.ReadExactlyAsync(extended, cancellationToken);
                length = BinaryPrimitives.ReadUInt16BigEndian(extended);
            }
            else if (length == 127)
            {
                var extended = new byte[8];
                await _stream.ReadExactlyAsync(extended, cancellationToken);
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(extended);
            }

            var payload = new byte[length];
            await _stream.ReadExactlyAsync(payload, cancellationToken);
            return ((byte)(header[0] & 0x0F), payload);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            return null;
        }
    }

    /// <summary>Sends one masked, final frame, as a client must.</summary>
    public async Task SendFrameAsync(byte opcode, byte[] payload, CancellationToken cancellationToken)
    {
        Assert.True(payload.Length < 126, "short frames only");
        var mask = RandomNumberGenerator.GetBytes(4);
        var frame = new byte[2 + 4 + payload.Length];
        frame[0] = (byte)(FinBit | opcode);
        frame[1] = (byte)(MaskBit | payload.Length);
        mask.CopyTo(frame, 2);
        for (var i = 0; i < payload.Length; i++)
        {
            frame[6 + i] = (byte)(payload[i] ^ mask[i % 4]);
        }

        await _stream.WriteAsync(frame, cancellationToken);
    }

    public void Dispose() => _tcp.Dispose();
}
