using System.Net.WebSockets;
using System.Text;
using K2.Core;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Simulator.Tests.Coinbase;

/// <summary>
/// A plain <see cref="ClientWebSocket"/> talking to the simulated Coinbase server, reading every frame through K2's own
/// <see cref="CoinbaseTradeParser"/>. Every receive gives up after <see cref="Timeout"/>, so a missing message fails the
/// test instead of hanging it.
/// </summary>
internal sealed class CoinbaseTestClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _buffer = new byte[1024 * 1024];
    private readonly InstrumentRegistry _registry;
    private readonly CoinbaseSideConvention _sides;
    private readonly TimeProvider _time;

    private CoinbaseTestClient(InstrumentRegistry registry, CoinbaseSideConvention sides, TimeProvider time)
    {
        _registry = registry;
        _sides = sides;
        _time = time;
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    public WebSocketState State => _socket.State;

    public static async Task<CoinbaseTestClient> ConnectAsync(
        ExchangeSimulator simulator, InstrumentRegistry registry, TimeProvider time, CancellationToken cancellationToken,
        CoinbaseSideConvention sides = CoinbaseSideConvention.Taker)
    {
        var client = new CoinbaseTestClient(registry, sides, time);
        using var timeout = WithTimeout(cancellationToken);
        await client._socket.ConnectAsync(simulator.CoinbaseWebSocketUri, timeout.Token);
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

    /// <summary>The next message, parsed by K2 with the receipt time read from the test clock now.</summary>
    public async Task<Received> ReceiveParsedAsync(CancellationToken cancellationToken)
    {
        var text = await ReceiveAsync(cancellationToken);
        List<Trade> trades = [];
        List<TradeRejection> rejections = [];
        var frame = CoinbaseTradeParser.Parse(Encoding.UTF8.GetBytes(text), UnixMicros.Now(_time), _registry, _sides, trades, rejections);
        return new Received(text, frame, trades, rejections);
    }

    /// <summary>Reads until <paramref name="trades"/> trades have arrived; every message read is returned.</summary>
    public async Task<List<Received>> ReceiveTradesAsync(int trades, CancellationToken cancellationToken)
    {
        var received = new List<Received>();
        while (received.Sum(r => r.Trades.Count) < trades)
        {
            received.Add(await ReceiveParsedAsync(cancellationToken));
        }

        Assert.Equal(trades, received.Sum(r => r.Trades.Count));
        return received;
    }

    /// <summary>Subscribes and reads the answer: for new market_trades products a snapshot, then the acknowledgement.</summary>
    public async Task<(Received? Snapshot, Received Ack)> SubscribeAsync(string channel, string[]? products, CancellationToken cancellationToken)
    {
        await SendAsync(Subscribe(channel, products), cancellationToken);
        var first = await ReceiveParsedAsync(cancellationToken);
        if (first.Frame.Kind == CoinbaseFrameKind.Subscriptions)
        {
            return (null, first);
        }

        Assert.Equal(CoinbaseEventType.Snapshot, first.Frame.EventType);
        var ack = await ReceiveParsedAsync(cancellationToken);
        Assert.Equal(CoinbaseFrameKind.Subscriptions, ack.Frame.Kind);
        return (first, ack);
    }

    public static string Subscribe(string channel, string[]? products, string type = "subscribe") =>
        System.Text.Json.JsonSerializer.Serialize(new CoinbaseSubscriptionRequest(type, products, channel));

    /// <summary>Reads until the server's close frame, answers it, and returns its status, reason and what came before.</summary>
    public async Task<(WebSocketCloseStatus? Status, string? Description, List<string> Before)> ReceiveCloseAsync(CancellationToken cancellationToken)
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
        return (_socket.CloseStatus, _socket.CloseStatusDescription, before);
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

    /// <summary>One message as received, and what K2's parser made of it.</summary>
    public sealed record Received(string Text, CoinbaseFrame Frame, List<Trade> Trades, List<TradeRejection> Rejections);
}
