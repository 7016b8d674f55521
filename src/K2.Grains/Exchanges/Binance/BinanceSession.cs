using System.Text.Json;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Core.Trades;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.Sessions;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Exchanges.Binance;

/// <summary>
/// Binance spot trades: one combined-stream connection in microsecond time units, subscribed to every registry symbol
/// in a few SUBSCRIBE messages. A <c>serverShutdown</c> event or the approaching 24 h cut replaces the connection with an
/// overlapping new one.
/// </summary>
internal sealed partial class BinanceSession : ExchangeSession
{
    private readonly BinanceOptions _options;
    private readonly string[] _streams;
    private long _nextRequestId;

    public BinanceSession(BinanceOptions options, SessionContext context)
        : base(Exchange.Binance, Settings(options), context)
    {
        _options = options;
        _streams = [.. context.Registry.ForExchange(Exchange.Binance).Select(BinanceSymbols.TradeStream)];
        if (_streams.Length > BinanceEndpoints.MaxStreamsPerConnection)
        {
            throw new InvalidOperationException(
                $"Binance allows {BinanceEndpoints.MaxStreamsPerConnection} streams per connection; the registry has {_streams.Length}. Split it into shards.");
        }
    }

    private static ExchangeSessionSettings Settings(BinanceOptions options) => new(
        new Uri($"{options.WebSocketBase.ToString().TrimEnd('/')}{BinanceEndpoints.CombinedStreamPath}?{BinanceEndpoints.TimeUnitMicrosecondQuery}"),
        options.ConnectTimeout, options.KeepAliveInterval, options.KeepAliveTimeout, options.CloseTimeout,
        options.ReconnectInitialDelay, options.ReconnectMaxDelay, options.MaxOutgoingMessagesPerSecond,
        options.StaleAfter, options.RotateAfter, options.SubscribeTimeout);

    protected override async Task SubscribeAsync(SessionConnection connection, CancellationToken cancellationToken)
    {
        // Every request is registered before the first is sent, so an early answer cannot look like the last one.
        var requests = _streams.Chunk(_options.StreamsPerSubscribe)
            .Select(chunk => new BinanceStreamRequest(BinanceStreamRequest.Subscribe, chunk, Interlocked.Increment(ref _nextRequestId)))
            .ToList();
        var pending = connection.VenueState<Dictionary<long, int>>();
        lock (pending)
        {
            requests.ForEach(r => pending[r.Id] = r.Params.Count);
        }

        foreach (var request in requests)
        {
            await connection.SendAsync(JsonSerializer.Serialize(request), cancellationToken);
        }
    }

    protected override async Task OnFrameAsync(SessionConnection connection, long frameNumber, ReadOnlyMemory<byte> frame, UnixMicros receivedAt, CancellationToken stop)
    {
        var parsed = BinanceTradeParser.Parse(frame.Span, receivedAt, BinanceTimeUnit.Microsecond, Registry);
        switch (parsed.Kind)
        {
            case BinanceFrameKind.Trade:
                await AcceptAsync(connection, frameNumber, frame, receivedAt, [parsed.Trade], [], stop);
                break;
            case BinanceFrameKind.Rejected:
                var rejection = new TradeRejection(parsed.RejectReason, parsed.Detail ?? "rejected", parsed.RawSymbol, parsed.RawTradeId);
                await AcceptAsync(connection, frameNumber, frame, receivedAt, [], [rejection], stop);
                break;
            case BinanceFrameKind.RequestResult:
                OnRequestResult(connection, parsed.RequestId);
                break;
            case BinanceFrameKind.RequestError:
                LogRequestError(Context.Logger, connection.Id, parsed.RequestId, parsed.Detail);
                break;
            case BinanceFrameKind.ServerShutdown:
                connection.RequestReplacement("serverShutdown");
                break;
            case BinanceFrameKind.Ignored:
                break;
        }
    }

    private void OnRequestResult(SessionConnection connection, long requestId)
    {
        var pending = connection.VenueState<Dictionary<long, int>>();
        bool complete;
        lock (pending)
        {
            if (!pending.Remove(requestId))
            {
                return;
            }

            complete = pending.Count == 0;
        }

        if (complete)
        {
            SetSubscribed(_streams.Length);
            connection.MarkSubscribed();
            LogSubscribed(Context.Logger, connection.Id, _streams.Length);
        }
    }

    [LoggerMessage(EventId = GrainsEventIds.ExchangeSubscribed, Level = LogLevel.Information, Message = "Binance connection {ConnectionId} subscribed to {Streams} trade streams")]
    private static partial void LogSubscribed(ILogger logger, string connectionId, int streams);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeRequestError, Level = LogLevel.Warning, Message = "Binance connection {ConnectionId} refused request {RequestId}: {Detail}")]
    private static partial void LogRequestError(ILogger logger, string connectionId, long requestId, string? detail);
}
