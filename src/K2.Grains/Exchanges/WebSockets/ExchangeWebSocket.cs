using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace K2.Grains.Exchanges.WebSockets;

/// <summary>
/// A client WebSocket that delivers whole text messages. Every exchange session uses this one class: it joins
/// fragmented messages into one pooled buffer (grown when needed, never per message), sends text, and closes politely.
/// </summary>
internal sealed class ExchangeWebSocket : IAsyncDisposable
{
    /// <summary>A market-data message is a few hundred bytes; snapshots a few hundred KB. Anything bigger is hostile.</summary>
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    private readonly ClientWebSocket _socket;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);

    private ExchangeWebSocket(ClientWebSocket socket) => _socket = socket;

    public bool IsOpen => _socket.State == WebSocketState.Open;

    /// <summary>Connects to <paramref name="uri"/>. <paramref name="keepAliveInterval"/>: client pings that detect a dead
    /// peer (each counts against the exchange's message-rate limit); <paramref name="keepAliveTimeout"/>: how long to
    /// wait for the pong before the connection is declared dead.</summary>
    public static async Task<ExchangeWebSocket> ConnectAsync(Uri uri, TimeSpan keepAliveInterval, TimeSpan keepAliveTimeout, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = keepAliveInterval;
        socket.Options.KeepAliveTimeout = keepAliveTimeout;
        try
        {
            await socket.ConnectAsync(uri, cancellationToken);
            return new ExchangeWebSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public Task SendTextAsync(string text, CancellationToken cancellationToken) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <summary>
    /// The next whole message, valid until the next call; null when the server closed the connection.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                Grow(length);
            }

            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return _buffer.AsMemory(0, length);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closing", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The peer is gone already; disposing aborts the socket.
            }
        }

        _socket.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void Grow(int used)
    {
        if (_buffer.Length >= MaxMessageBytes)
        {
            throw new WebSocketException(WebSocketError.Faulted, $"A message exceeded {MaxMessageBytes} bytes.");
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, MaxMessageBytes));
        _buffer.AsSpan(0, used).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
