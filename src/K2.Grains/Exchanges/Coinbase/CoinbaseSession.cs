using System.Text.Json;
using K2.Core;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Trades;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.Sessions;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Exchanges.Coinbase;

/// <summary>
/// Coinbase Advanced Trade trades: one connection subscribed to the heartbeats channel and to market_trades for every
/// registry product (one channel per message, within Coinbase's 5 s). Every message carries a per-connection
/// <c>sequence_num</c>; a jump means Coinbase dropped messages, and since a dropped message may have carried any
/// product's trades, every instrument is told to catch up.
/// </summary>
internal sealed partial class CoinbaseSession : ExchangeSession
{
    private readonly CoinbaseOptions _options;
    private readonly IReadOnlyList<string> _products;

    public CoinbaseSession(CoinbaseOptions options, SessionContext context)
        : base(Exchange.Coinbase, Settings(options), context)
    {
        _options = options;
        _products = [.. CoinbaseSymbols.MarketDataProductIds(context.Registry.ForExchange(Exchange.Coinbase)).Distinct(StringComparer.Ordinal)];
    }

    private static ExchangeSessionSettings Settings(CoinbaseOptions options) => new(
        options.WebSocketUri, options.ConnectTimeout, options.KeepAliveInterval, options.KeepAliveTimeout, options.CloseTimeout,
        options.ReconnectInitialDelay, options.ReconnectMaxDelay, options.MaxOutgoingMessagesPerSecond,
        options.StaleAfter, RotateAfter: null, options.SubscribeTimeout);

    protected override async Task SubscribeAsync(SessionConnection connection, CancellationToken cancellationToken)
    {
        await connection.SendAsync(JsonSerializer.Serialize(CoinbaseSubscriptionRequest.SubscribeHeartbeats()), cancellationToken);
        await connection.SendAsync(JsonSerializer.Serialize(CoinbaseSubscriptionRequest.SubscribeMarketTrades(_products)), cancellationToken);
    }

    protected override async Task OnFrameAsync(SessionConnection connection, long frameNumber, ReadOnlyMemory<byte> frame, UnixMicros receivedAt, CancellationToken stop)
    {
        List<Trade> trades = [];
        List<TradeRejection> rejections = [];
        var parsed = CoinbaseTradeParser.Parse(frame.Span, receivedAt, Registry, _options.SideConvention, trades, rejections);
        if (parsed.SequenceNum is { } sequence && connection.VenueState<SequenceState>().Advance(sequence) is { } missed)
        {
            LogSequenceGap(Context.Logger, connection.Id, missed.From, missed.To);
            await Context.SignalPossibleLoss($"{connection.Id} sequence gap {missed.From}..{missed.To}", stop);
        }

        switch (parsed.Kind)
        {
            case CoinbaseFrameKind.MarketTrades:
            case CoinbaseFrameKind.Rejected:
                await AcceptAsync(connection, frameNumber, frame, receivedAt, trades, rejections, stop);
                break;
            case CoinbaseFrameKind.Subscriptions when IsComplete(parsed.Subscriptions):
                SetSubscribed(_products.Count);
                connection.MarkSubscribed();
                LogSubscribed(Context.Logger, connection.Id, _products.Count);
                break;
            case CoinbaseFrameKind.Error:
                LogError(Context.Logger, connection.Id, parsed.ErrorMessage, parsed.Detail);
                break;
            default:
                break; // heartbeats and partial subscription lists only prove the connection is alive
        }
    }

    private bool IsComplete(IReadOnlyDictionary<string, IReadOnlyList<string>>? subscriptions) =>
        subscriptions is not null
        && subscriptions.ContainsKey(CoinbaseEndpoints.HeartbeatsChannel)
        && subscriptions.TryGetValue(CoinbaseEndpoints.MarketTradesChannel, out var products)
        && _products.All(products.Contains);

    /// <summary>The last sequence number of one connection (read by its receive loop only); reports the numbers a jump skipped.</summary>
    private sealed class SequenceState
    {
        private long? _last;

        public (long From, long To)? Advance(long sequence)
        {
            var last = _last;
            if (last is null || sequence > last)
            {
                _last = sequence;
            }

            // Lower or equal numbers are repeats or late arrivals: the trades in them are deduplicated downstream.
            return last is { } previous && sequence > previous + 1 ? (previous + 1, sequence - 1) : null;
        }
    }

    [LoggerMessage(EventId = GrainsEventIds.ExchangeSubscribed, Level = LogLevel.Information, Message = "Coinbase connection {ConnectionId} subscribed to {Products} products and heartbeats")]
    private static partial void LogSubscribed(ILogger logger, string connectionId, int products);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeSequenceGap, Level = LogLevel.Warning, Message = "Coinbase connection {ConnectionId} missed messages {From}..{To}; catching up")]
    private static partial void LogSequenceGap(ILogger logger, string connectionId, long from, long to);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeRequestError, Level = LogLevel.Warning, Message = "Coinbase connection {ConnectionId} error: {Message} ({Reason})")]
    private static partial void LogError(ILogger logger, string connectionId, string? message, string? reason);
}
