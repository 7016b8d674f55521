using System.Net.WebSockets;
using System.Text;

namespace K2.Simulator.Tests.Support;

/// <summary>
/// A plain <see cref="ClientWebSocket"/> for talking to the simulated Binance stream server. Every receive gives up
/// after <see cref="Timeout"/>, so a missing message fails the test instead of hanging it.
/// </summary>
internal sealed class BinanceTestClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _buffer = new byte[64 * 1024];

    private BinanceTestClient()
    {
        // No unsolicited keep-alive PONGs: they count against Binance's incoming-message limit.
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    public WebSocketState State => _socket.State;

    public static async Task<BinanceTestClient> ConnectAsync(Uri uri, CancellationToken cancellationToken)
    {
        var client = new BinanceTestClient();
        using var timeout = WithTimeout(cancellationToken);
        await client._socket.ConnectAsync(uri, timeout.Token);
        return client;
    }

    public async Task SendAsync(string text, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
    }

    /// <summary>The next text message; fails on a close frame.</summary>
    public async Task<string> ReceiveAsync(CancellationToken cancellationToken)
    {
        var (type, text) = await ReceiveMessageAsync(cancellationToken);
        Assert.Equal(WebSocketMessageType.Text, type);
        return text;
    }

    public async Task<List<string>> ReceiveAsync(int count, CancellationToken cancellationToken)
    {
        var messages = new List<string>(count);
        while (messages.Count < count)
        {
            messages.Add(await ReceiveAsync(cancellationToken));
        }

        return messages;
    }

    /// <summary>
    /// Reads until the server's close frame, skipping messages, answers it as a well-behaved client does, and
    /// returns its status and reason.
    /// </summary>
    public async Task<(WebSocketCloseStatus? Status, string? Description)> ReceiveCloseAsync(CancellationToken cancellationToken)
    {
        while ((await ReceiveMessageAsync(cancellationToken)).Type != WebSocketMessageType.Close)
        {
        }

        using var timeout = WithTimeout(cancellationToken);
        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        return (_socket.CloseStatus, _socket.CloseStatusDescription);
    }

    /// <summary>Reads until the connection fails; true when it was cut (no close frame), as a drop does.</summary>
    public async Task<bool> ReceiveUntilCutAsync(CancellationToken cancellationToken)
    {
        try
        {
            while ((await ReceiveMessageAsync(cancellationToken)).Type != WebSocketMessageType.Close)
            {
            }

            return false;
        }
        catch (WebSocketException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The server may have gone first; the socket is disposed below either way.
            }
        }

        _socket.Dispose();
    }

    private async Task<(WebSocketMessageType Type, string Text)> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        var length = 0;
        while (true)
        {
            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), timeout.Token);
            length += result.Count;
            if (result.EndOfMessage)
            {
                return (result.MessageType, Encoding.UTF8.GetString(_buffer, 0, length));
            }
        }
    }

    private static CancellationTokenSource WithTimeout(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(Timeout);
        return source;
    }
}
