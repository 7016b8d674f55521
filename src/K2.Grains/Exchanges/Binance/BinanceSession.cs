using System.Net.WebSockets;
using System.Text.Json;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.WebSockets;
using K2.Grains.Ingest;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Exchanges.Binance;

/// <summary>
/// The Binance spot trade session: one combined-stream connection in microsecond time units, subscribed to every
/// registry symbol in a few SUBSCRIBE messages paced under the 5-messages-per-second limit; reconnects with backoff
/// and jitter when the connection drops or the server announces <c>serverShutdown</c>.
/// </summary>
internal sealed partial class BinanceSession(
    BinanceOptions options,
    InstrumentRegistry registry,
    TradeRoute route,
    IngestMetrics metrics,
    TimeProvider time,
    ILogger<BinanceSession> logger) : IExchangeSession
{
    private readonly IReadOnlyList<string> _streams = [.. registry.ForExchange(Exchange.Binance).Select(BinanceSymbols.TradeStream)];
    private readonly Dictionary<long, int> _pendingRequests = [];
    private long _nextRequestId;
    private volatile bool _connected;
    private int _subscribedStreams;
    private long _connections;
    private long _tradesReceived;
    private long _framesRejected;
    private long _lastFrameTicks;

    public Exchange Exchange => Exchange.Binance;

    public ExchangeSessionStatus GetStatus()
    {
        var lastFrame = Interlocked.Read(ref _lastFrameTicks);
        return new ExchangeSessionStatus(
            Exchange.ToName(),
            _connected,
            Volatile.Read(ref _subscribedStreams),
            Interlocked.Read(ref _connections),
            Interlocked.Read(ref _tradesReceived),
            Interlocked.Read(ref _framesRejected),
            lastFrame == 0 ? null : new DateTimeOffset(lastFrame, TimeSpan.Zero));
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new ReconnectBackoff(options.ReconnectInitialDelay, options.ReconnectMaxDelay, Random.Shared);
        var uri = new Uri($"{options.WebSocketBase.ToString().TrimEnd('/')}{BinanceEndpoints.CombinedStreamPath}?{BinanceEndpoints.TimeUnitMicrosecondQuery}");
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = time.GetTimestamp();
            try
            {
                await RunConnectionAsync(uri, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Whatever ended this connection, the session lives on: log it and reconnect.
                LogConnectionFailed(logger, e, uri);
            }
            finally
            {
                _connected = false;
                Volatile.Write(ref _subscribedStreams, 0);
            }

            backoff.OnDisconnected(time.GetElapsedTime(started));
            var delay = backoff.NextDelay();
            LogReconnecting(logger, delay);
            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task RunConnectionAsync(Uri uri, CancellationToken cancellationToken)
    {
        await using var socket = await ExchangeWebSocket.ConnectAsync(
            uri, options.ConnectTimeout, options.KeepAliveInterval, options.KeepAliveTimeout, time, cancellationToken);
        if (Interlocked.Increment(ref _connections) > 1)
        {
            metrics.Reconnected(Exchange);
        }

        _connected = true;
        lock (_pendingRequests)
        {
            _pendingRequests.Clear();
        }

        LogConnected(logger, uri, _streams.Count);
        using var connectionScope = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var subscribing = SubscribeAsync(socket, connectionScope.Token);

        // On stop, close politely: send our close frame and let the server's answer end the receive loop; only if it
        // does not answer within the close timeout is the receive cancelled (which aborts the socket).
        using var abandon = new CancellationTokenSource();
        using var closeTimer = time.CreateTimer(_ => abandon.Cancel(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        using var onStop = cancellationToken.Register(() =>
        {
            closeTimer.Change(options.CloseTimeout, Timeout.InfiniteTimeSpan);
            _ = socket.CloseOutputAsync(CancellationToken.None).ContinueWith(
                static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        });
        try
        {
            await ReceiveAsync(socket, abandon.Token, cancellationToken);
        }
        finally
        {
            await connectionScope.CancelAsync();
            try
            {
                await subscribing;
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
                // The connection is over; the next one subscribes afresh.
            }
        }
    }

    private async Task SubscribeAsync(ExchangeWebSocket socket, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < _streams.Count; offset += options.StreamsPerSubscribe)
        {
            if (offset > 0)
            {
                await Task.Delay(options.SubscribeSpacing, time, cancellationToken);
            }

            var streams = _streams.Skip(offset).Take(options.StreamsPerSubscribe).ToArray();
            var id = Interlocked.Increment(ref _nextRequestId);
            lock (_pendingRequests)
            {
                _pendingRequests[id] = streams.Length;
            }

            var request = new BinanceStreamRequest(BinanceStreamRequest.Subscribe, streams, id);
            await socket.SendTextAsync(JsonSerializer.Serialize(request), cancellationToken);
        }
    }

    // receiveToken aborts a pending receive: it fires only when a stop's close handshake times out.
    // stopToken is the session's stop: it cancels waiting on a full instrument mailbox.
    private async Task ReceiveAsync(ExchangeWebSocket socket, CancellationToken receiveToken, CancellationToken stopToken)
    {
        while (await socket.ReceiveAsync(receiveToken) is { } message)
        {
            var receivedAt = UnixMicros.Now(time);
            Interlocked.Exchange(ref _lastFrameTicks, time.GetUtcNow().UtcTicks);
            var frame = BinanceTradeParser.Parse(message.Span, receivedAt, BinanceTimeUnit.Microsecond, registry);
            switch (frame.Kind)
            {
                case BinanceFrameKind.Trade:
                    Interlocked.Increment(ref _tradesReceived);
                    metrics.Received(Exchange);
                    await route(frame.Trade.Instrument, [frame.Trade], stopToken);
                    break;
                case BinanceFrameKind.RequestResult:
                    OnRequestResult(frame.RequestId);
                    break;
                case BinanceFrameKind.RequestError:
                    LogRequestError(logger, frame.RequestId, frame.Detail);
                    break;
                case BinanceFrameKind.ServerShutdown:
                    LogServerShutdown(logger);
                    return;
                case BinanceFrameKind.Rejected:
                    Interlocked.Increment(ref _framesRejected);
                    metrics.Rejected(Exchange, frame.RejectReason);
                    LogRejected(logger, frame.RejectReason.ToName(), frame.Detail, FrameExcerpt(message.Span));
                    break;
                case BinanceFrameKind.Ignored:
                    break;
            }
        }

        if (!stopToken.IsCancellationRequested)
        {
            LogClosedByServer(logger);
        }
    }

    /// <summary>The start of a frame for a log line: a hostile or broken stream must not flood the log.</summary>
    private static string FrameExcerpt(ReadOnlySpan<byte> frame)
    {
        const int MaxLoggedBytes = 1024;
        return frame.Length <= MaxLoggedBytes
            ? System.Text.Encoding.UTF8.GetString(frame)
            : $"{System.Text.Encoding.UTF8.GetString(frame[..MaxLoggedBytes])}… ({frame.Length} bytes)";
    }

    private void OnRequestResult(long requestId)
    {
        int streams;
        lock (_pendingRequests)
        {
            if (!_pendingRequests.Remove(requestId, out streams))
            {
                return;
            }
        }

        var subscribed = Interlocked.Add(ref _subscribedStreams, streams);
        LogSubscribed(logger, subscribed, _streams.Count);
    }

    [LoggerMessage(EventId = GrainsEventIds.ExchangeConnected, Level = LogLevel.Information, Message = "Binance connected to {Uri}; subscribing to {Streams} trade streams")]
    private static partial void LogConnected(ILogger logger, Uri uri, int streams);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeSubscribed, Level = LogLevel.Information, Message = "Binance subscribed to {Subscribed} of {Total} trade streams")]
    private static partial void LogSubscribed(ILogger logger, int subscribed, int total);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeRequestError, Level = LogLevel.Warning, Message = "Binance refused request {RequestId}: {Detail}")]
    private static partial void LogRequestError(ILogger logger, long requestId, string? detail);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeServerShutdown, Level = LogLevel.Information, Message = "Binance announced serverShutdown; reconnecting")]
    private static partial void LogServerShutdown(ILogger logger);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeFrameRejected, Level = LogLevel.Warning, Message = "Binance frame rejected ({Reason}: {Detail}): {Frame}")]
    private static partial void LogRejected(ILogger logger, string reason, string? detail, string frame);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeConnectionFailed, Level = LogLevel.Warning, Message = "Binance connection to {Uri} failed")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception, Uri uri);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeClosedByServer, Level = LogLevel.Warning, Message = "Binance closed the connection")]
    private static partial void LogClosedByServer(ILogger logger);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeReconnecting, Level = LogLevel.Information, Message = "Binance reconnecting in {Delay}")]
    private static partial void LogReconnecting(ILogger logger, TimeSpan delay);
}
