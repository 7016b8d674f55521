using System.Net.WebSockets;
using System.Text;
using K2.Core;
using K2.Core.Exchanges.Kraken;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Simulator.Tests.Kraken;

/// <summary>
/// A plain <see cref="ClientWebSocket"/> on the simulated Kraken v2, with K2's own parser at hand. Every receive gives
/// up after <see cref="Timeout"/>, so a missing message fails the test instead of hanging it. Absence is proven with
/// a barrier, never a wait: a ping's pong arrives after everything queued before it.
/// </summary>
internal sealed class KrakenTestClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _buffer = new byte[1024 * 1024];
    private long _nextPingId = 1_000;

    private KrakenTestClient()
    {
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    public WebSocketState State => _socket.State;

    /// <summary>The status message the server greeted with.</summary>
    public string Greeting { get; private set; } = "";

    /// <summary>Connects and reads the status greeting, after which the connection is registered on the venue.</summary>
    public static async Task<KrakenTestClient> ConnectAsync(ExchangeSimulator simulator, CancellationToken cancellationToken)
    {
        var client = new KrakenTestClient();
        using var timeout = WithTimeout(cancellationToken);
        await client._socket.ConnectAsync(simulator.KrakenWebSocketUri, timeout.Token);
        client.Greeting = await client.ReceiveAsync(cancellationToken);
        return client;
    }

    public async Task SendAsync(string text, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
    }

    /// <summary>Subscribes to trades and returns the answers, one per symbol.</summary>
    public async Task<List<string>> SubscribeAsync(IReadOnlyList<string> symbols, bool snapshot, long requestId, CancellationToken cancellationToken)
    {
        var quoted = string.Join(",", symbols.Select(s => $"\"{s}\""));
        await SendAsync($$"""{"method":"subscribe","params":{"channel":"trade","symbol":[{{quoted}}],"snapshot":{{(snapshot ? "true" : "false")}}},"req_id":{{requestId}}}""", cancellationToken);
        var answers = new List<string>();
        while (answers.Count < symbols.Count)
        {
            var message = await ReceiveAsync(cancellationToken);
            if (message.StartsWith("{\"channel\":\"trade\",\"type\":\"snapshot\"", StringComparison.Ordinal))
            {
                continue;
            }

            answers.Add(message);
        }

        return answers;
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

    /// <summary>Sends a ping and returns everything that arrives before its pong (the pong excluded).</summary>
    public async Task<List<string>> DrainAsync(CancellationToken cancellationToken)
    {
        var id = _nextPingId++;
        await SendAsync($$"""{"method":"ping","req_id":{{id}}}""", cancellationToken);
        var pong = $$"""{"method":"pong","req_id":{{id}},""";
        var before = new List<string>();
        for (var message = await ReceiveAsync(cancellationToken); !message.StartsWith(pong, StringComparison.Ordinal); message = await ReceiveAsync(cancellationToken))
        {
            before.Add(message);
        }

        return before;
    }

    /// <summary>Reads until the server's close frame, answers it, and returns the messages before it with the close status.</summary>
    public async Task<(List<string> Before, WebSocketCloseStatus? Status, string? Description)> ReceiveCloseAsync(CancellationToken cancellationToken)
    {
        var before = new List<string>();
        while (true)
        {
            var (type, text) = await ReceiveMessageAsync(cancellationToken);
            if (type == WebSocketMessageType.Close)
            {
                break;
            }

            before.Add(text);
        }

        using var timeout = WithTimeout(cancellationToken);
        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        return (before, _socket.CloseStatus, _socket.CloseStatusDescription);
    }

    /// <summary>Reads until the connection fails; true when it was cut (no close frame).</summary>
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

    /// <summary>Parses a frame with K2's parser, as a Kraken session would.</summary>
    public static (KrakenV2Frame Frame, List<Trade> Trades, List<TradeRejection> Rejections) Parse(
        string message, UnixMicros receivedAt, InstrumentRegistry registry)
    {
        List<Trade> trades = [];
        List<TradeRejection> rejections = [];
        var frame = KrakenV2TradeParser.Parse(Encoding.UTF8.GetBytes(message), receivedAt, registry, trades, rejections);
        return (frame, trades, rejections);
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
