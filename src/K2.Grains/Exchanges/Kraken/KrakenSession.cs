using System.Text.Json;
using K2.Core;
using K2.Core.Exchanges.Kraken;
using K2.Core.Trades;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.Sessions;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Exchanges.Kraken;

/// <summary>
/// Kraken WS v2 trades: one connection subscribed to every registry symbol in one request with <c>snapshot</c> on, so
/// each new connection re-delivers the last 50 trades of each symbol (duplicates are dropped; a short gap is filled
/// before any REST call). Heartbeats prove liveness; application pings keep Kraken from closing a quiet client.
/// </summary>
internal sealed partial class KrakenSession : ExchangeSession
{
    private readonly KrakenOptions _options;
    private readonly string[] _symbols;
    private long _nextRequestId;

    public KrakenSession(KrakenOptions options, SessionContext context)
        : base(Exchange.Kraken, Settings(options), context)
    {
        _options = options;
        _symbols = [.. context.Registry.ForExchange(Exchange.Kraken).Select(KrakenSymbols.WebSocketSymbol)];
    }

    private static ExchangeSessionSettings Settings(KrakenOptions options) => new(
        options.WebSocketUri, options.ConnectTimeout, options.KeepAliveInterval, options.KeepAliveTimeout, options.CloseTimeout,
        options.ReconnectInitialDelay, options.ReconnectMaxDelay, options.MaxOutgoingMessagesPerSecond,
        options.StaleAfter, RotateAfter: null, options.SubscribeTimeout);

    protected override async Task SubscribeAsync(SessionConnection connection, CancellationToken cancellationToken)
    {
        var awaiting = connection.VenueState<HashSet<string>>();
        lock (awaiting)
        {
            awaiting.UnionWith(_symbols);
        }

        var request = KrakenV2SubscriptionRequest.SubscribeTrades(_symbols, snapshot: true, Interlocked.Increment(ref _nextRequestId));
        await connection.SendAsync(JsonSerializer.Serialize(request), cancellationToken);
    }

    protected override async Task KeepAliveAsync(SessionConnection connection, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.PingInterval, Context.Time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            await connection.SendAsync(JsonSerializer.Serialize(KrakenV2PingRequest.Create(Interlocked.Increment(ref _nextRequestId))), cancellationToken);
        }
    }

    protected override async Task OnFrameAsync(SessionConnection connection, long frameNumber, ReadOnlyMemory<byte> frame, UnixMicros receivedAt, CancellationToken stop)
    {
        List<Trade> trades = [];
        List<TradeRejection> rejections = [];
        var parsed = KrakenV2TradeParser.Parse(frame.Span, receivedAt, Registry, trades, rejections);
        switch (parsed.Kind)
        {
            case KrakenV2FrameKind.Trades:
            case KrakenV2FrameKind.Rejected:
                await AcceptAsync(connection, frameNumber, frame, receivedAt, trades, rejections, stop);
                break;
            case KrakenV2FrameKind.SubscribeResult:
                OnSubscribeResult(connection, parsed);
                break;
            case KrakenV2FrameKind.Error:
                LogError(Context.Logger, connection.Id, parsed.Error ?? parsed.Detail);
                break;
            default:
                break; // heartbeats, pongs and status messages only prove the connection is alive
        }
    }

    /// <summary>One answer per symbol; the connection counts as subscribed once every symbol is answered.</summary>
    private void OnSubscribeResult(SessionConnection connection, in KrakenV2Frame answer)
    {
        if (!answer.Success)
        {
            // A refused symbol would never come; it is logged loudly and not waited for.
            LogRefused(Context.Logger, connection.Id, answer.Symbol, answer.Error);
        }

        if (answer.Symbol is null)
        {
            return;
        }

        var awaiting = connection.VenueState<HashSet<string>>();
        bool complete;
        lock (awaiting)
        {
            complete = awaiting.Remove(KrakenSymbols.TryGetInstrument(Registry, answer.Symbol, out var instrument) ? instrument.ExchangeSymbol : answer.Symbol)
                && awaiting.Count == 0;
        }

        if (complete)
        {
            SetSubscribed(_symbols.Length);
            connection.MarkSubscribed();
            LogSubscribed(Context.Logger, connection.Id, _symbols.Length);
        }
    }

    [LoggerMessage(EventId = GrainsEventIds.ExchangeSubscribed, Level = LogLevel.Information, Message = "Kraken connection {ConnectionId} subscribed to {Symbols} trade channels")]
    private static partial void LogSubscribed(ILogger logger, string connectionId, int symbols);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeRequestError, Level = LogLevel.Error, Message = "Kraken connection {ConnectionId} refused {Symbol}: {Error}")]
    private static partial void LogRefused(ILogger logger, string connectionId, string? symbol, string? error);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeRequestError, Level = LogLevel.Warning, Message = "Kraken connection {ConnectionId} error: {Error}")]
    private static partial void LogError(ILogger logger, string connectionId, string? error);
}
