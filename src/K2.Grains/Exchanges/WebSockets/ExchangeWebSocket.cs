using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace K2.Grains.Exchanges.WebSockets;

/// <summary>
/// A client WebSocket that delivers whole text messages. Every exchange session uses this one class: it joins
/// fragmented messages into one pooled buffer (grown when needed, never per message), serializes sends (a subscribe
/// and a close may race), and closes politely.
/// </summary>
internal sealed class ExchangeWebSocket : IAsyncDisposable
{
    /// <summary>A market-data message is a few hundred bytes; snapshots a few hundred KB. Anything bigger is hostile.</summary>
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);

    private ExchangeWebSocket(ClientWebSocket socket) => _socket = socket;

    /// <summary>
    /// Connects to <paramref name="uri"/>, giving up after <paramref name="connectTimeout"/> (a black-holed SYN or an
    /// upgrade that is never answered would otherwise wait forever). <paramref name="keepAliveInterval"/>: client pings
    /// that detect a dead peer (each counts against the exchange's message-rate limit); <paramref name="keepAliveTimeout"/>:
    /// how long to wait for the pong before the connection is declared dead.
    /// </summary>
    public static async Task<ExchangeWebSocket> ConnectAsync(
        Uri uri, TimeSpan connectTimeout, TimeSpan keepAliveInterval, TimeSpan keepAliveTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = keepAliveInterval;
        socket.Options.KeepAliveTimeout = keepAliveTimeout;
        using var timeout = new CancellationTokenSource(connectTimeout, time);
        using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.ConnectAsync(uri, connecting.Token);
            return new ExchangeWebSocket(socket);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new WebSocketException(WebSocketError.Faulted, $"Connecting to {uri} took longer than {connectTimeout}.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task SendTextAsync(string text, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>
    /// Starts the closing handshake while a receive is pending: the server answers with its close frame, which ends
    /// the receive loop normally. (Cancelling a pending receive instead would abort the socket without a close.)
    /// </summary>
    public async Task CloseOutputAsync(CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client stopping", cancellationToken);
            }
        }
        finally
        {
            _sending.Release();
        }
    }

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

    public ValueTask DisposeAsync()
    {
        // Graceful closing is CloseOutputAsync's job; here the socket is released, aborting it if still open.
        _socket.Dispose();
        _sending.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        return ValueTask.CompletedTask;
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
