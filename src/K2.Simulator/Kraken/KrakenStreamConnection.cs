using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using K2.Core;
using K2.Core.Exchanges.Kraken;
using K2.Core.Instruments;
using K2.Simulator.Faults;
using K2.Simulator.Hosting;
using K2.Simulator.WebSockets;

namespace K2.Simulator.Kraken;

/// <summary>
/// One client connection to the simulated Kraken WebSocket v2. It greets with a status message; a receive loop
/// answers requests; a send loop drains a bounded outgoing queue; trades are queued by the printing thread without
/// waiting; a heartbeat goes out whenever a subscribed connection has queued nothing for
/// <see cref="SimulatorOptions.KrakenHeartbeatInterval"/>. A client that falls <see cref="MaxQueuedMessages"/>
/// behind is cut; one sending more than <see cref="MaxIncomingMessagesPerSecond"/> messages in a second gets
/// <c>{"Error":"Exceeded msg rate"}</c> and a close.
/// </summary>
internal sealed partial class KrakenStreamConnection : ISimulatedConnection
{
    /// <summary>Messages a connection may have waiting before it counts as too slow and is cut.</summary>
    public const int MaxQueuedMessages = 10_000;

    /// <summary>
    /// Kraken's message rate limit is "dynamic and varies with system load" and undocumented. The simulator allows
    /// 50 requests in any rolling second, far above what a well-behaved client sends (a handful of subscriptions
    /// and a ping now and then) and low enough for a runaway loop to hit at once. WebSocket PING/PONG frames do not
    /// count: Kraken's limit is on messages.
    /// </summary>
    public const int MaxIncomingMessagesPerSecond = 50;

    /// <summary>A subscription naming every Kraken pair is a few KiB; anything far larger is not a request.</summary>
    private const int MaxRequestBytes = 64 * 1024;

    private const int ReceiveChunkBytes = 4 * 1024;
    private const int InitialSendBufferBytes = 1024;

    private static readonly TimeSpan RateLimitWindow = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often a stalled send loop looks whether the stall is over. The end of a stall is a point on the injected
    /// clock, which may jump past it at any moment (a test's <c>Advance</c>) with nothing to wake the loop, so it
    /// polls on the system clock; a timer on a frozen test clock could wait forever.
    /// </summary>
    private static readonly TimeSpan StallPollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How long a close handshake the server starts may take before the connection is cut. A transport deadline
    /// on the system clock: a frozen test clock must not hold a socket open.
    /// </summary>
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Kraken documents no close frame for the rate limit; 1008 is the policy-violation close (RFC 6455 7.4.1).</summary>
    private static readonly SessionEnd RateLimitedEnd =
        new(SessionEndReason.RateLimited, WebSocketCloseStatus.PolicyViolation, KrakenErrorTexts.ExceededMessageRate);

    private readonly WebSocket _socket;
    private readonly KrakenVenue _venue;
    private readonly FaultPlan _faults;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IncomingMessageRateLimit _rateLimit;
    private readonly Channel<KrakenOutbound> _outbound = Channel.CreateBounded<KrakenOutbound>(
        new BoundedChannelOptions(MaxQueuedMessages) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    // Under the gate: subscriptions change together with queueing their answers, so no trade of a symbol follows its
    // unsubscription's answer and every trade after a subscription's answer (or snapshot) is delivered.
    private readonly Lock _gate = new();

    /// <summary>Subscribed symbols, each with the last trade id its snapshot carried: updates resume after it.</summary>
    private readonly OrderedDictionary<string, long> _subscriptions = new(StringComparer.Ordinal);

    private long _lastQueuedAt;
    private ITimer? _heartbeat;
    private Ending? _ending;

    public KrakenStreamConnection(long id, WebSocket socket, KrakenVenue venue, ILogger logger)
    {
        Id = id;
        _socket = socket;
        _venue = venue;
        _faults = venue.Faults;
        _time = venue.Time;
        _logger = logger;
        _rateLimit = new IncomingMessageRateLimit(MaxIncomingMessagesPerSecond, RateLimitWindow, _time);
        ConnectedAt = _time.GetUtcNow();
        _lastQueuedAt = _time.GetTimestamp();
    }

    public long Id { get; }

    public DateTimeOffset ConnectedAt { get; }

    public SimulatedSession Describe()
    {
        lock (_gate)
        {
            return new SimulatedSession(Exchange.Kraken, Id, [.. _subscriptions.Keys.Select(s => $"{KrakenEndpoints.TradeChannel}:{s}")], ConnectedAt);
        }
    }

    public void Abort() => End(new SessionEnd(SessionEndReason.Dropped));

    /// <summary>Cuts the connection because the simulator is stopping.</summary>
    public void Stop() => End(new SessionEnd(SessionEndReason.ServerStopping));

    /// <summary>Serves the connection until it ends, then completes the close handshake or cuts it.</summary>
    public async Task RunAsync()
    {
        LogOpened(_logger, Id);
        lock (_gate)
        {
            Enqueue(KrakenOutbound.ForReply(Render(w => KrakenWireWriter.WriteStatus(w, Id))));
        }

        try
        {
            var receiving = ReceiveLoopAsync();
            await SendLoopAsync();

            // The send loop returns only once the connection has ended.
            var end = Volatile.Read(ref _ending)!.End;
            if (end.CloseStatus is { } status)
            {
                await CloseAsync(status, end.CloseDescription, receiving);
            }

            await receiving;
            LogEnd(end);
        }
        finally
        {
            lock (_gate)
            {
                _heartbeat?.Dispose();
            }
        }
    }

    /// <summary>
    /// Queues one update message for a batch of trades of one symbol, if the connection subscribes to it and a
    /// stall or skip is not in force (then each trade is counted and left to REST). Trades its snapshot already
    /// carried are left out. Never waits.
    /// </summary>
    public void OfferUpdate(Instrument instrument, PrintedTrade[] batch)
    {
        lock (_gate)
        {
            if (_ending is not null || !_subscriptions.TryGetValue(instrument.ExchangeSymbol, out var lastSnapshotId))
            {
                return;
            }

            var trades = batch[0].TradeId > lastSnapshotId ? batch : [.. batch.Where(t => t.TradeId > lastSnapshotId)];
            if (trades.Length == 0)
            {
                return;
            }

            if (_faults.IsStalled(Exchange.Kraken))
            {
                _faults.Count(Exchange.Kraken, FaultKind.StalledTrade, trades.Length);
                return;
            }

            if (_faults.IsSkippingTrades(Exchange.Kraken))
            {
                _faults.Count(Exchange.Kraken, FaultKind.SkippedTrade, trades.Length);
                return;
            }

            QueueUpdateInTurn(KrakenOutbound.ForTrades(KrakenV2TradeMessageType.Update, instrument, trades));
        }
    }

    private void LogEnd(SessionEnd end)
    {
        switch (end.Reason)
        {
            case SessionEndReason.RateLimited:
                LogRateLimited(_logger, Id, MaxIncomingMessagesPerSecond);
                break;
            case SessionEndReason.TooSlow:
                LogTooSlow(_logger, Id, MaxQueuedMessages);
                break;
            default:
                LogClosed(_logger, Id, end.Reason, end.Detail);
                break;
        }
    }

    /// <summary>Queues under the gate; a full queue cuts the connection. Everything queued counts as activity.</summary>
    private void Enqueue(KrakenOutbound item)
    {
        if (_ending is not null)
        {
            return;
        }

        if (!_outbound.Writer.TryWrite(item))
        {
            End(new SessionEnd(SessionEndReason.TooSlow));
            return;
        }

        _lastQueuedAt = _time.GetTimestamp();
    }

    /// <summary>
    /// The first ending wins. One without a close frame cuts the socket, which also unblocks a stuck send; one that
    /// drains first lets the send loop deliver what is queued (the rate-limit error) before the close.
    /// </summary>
    private void End(SessionEnd end, bool drainFirst = false)
    {
        if (Interlocked.CompareExchange(ref _ending, new Ending(end, drainFirst), null) is not null)
        {
            return;
        }

        _outbound.Writer.TryComplete();
        if (end.CloseStatus is null)
        {
            _socket.Abort();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var message = new ArrayBufferWriter<byte>(ReceiveChunkBytes);
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(message.GetMemory(ReceiveChunkBytes), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    End(new SessionEnd(SessionEndReason.ClientClosed, _socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure,
                        _socket.CloseStatusDescription));
                    return;
                }

                message.Advance(result.Count);
                if (message.WrittenCount > MaxRequestBytes)
                {
                    End(new SessionEnd(SessionEndReason.MessageTooBig, WebSocketCloseStatus.MessageTooBig, "Message too big"));
                    message.ResetWrittenCount();
                }
                else if (result.EndOfMessage)
                {
                    // After the connection ended, messages are read only to reach the client's close frame.
                    if (Volatile.Read(ref _ending) is null)
                    {
                        Handle(message.WrittenMemory);
                    }

                    message.ResetWrittenCount();
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            End(new SessionEnd(SessionEndReason.ConnectionLost, Detail: e.Message));
        }
    }

    /// <summary>
    /// Sends what is queued, in order. While the exchange is stalled nothing leaves (what is queued waits; trades
    /// and heartbeats are not even queued). Returns once the connection ended.
    /// </summary>
    private async Task SendLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(InitialSendBufferBytes);
        await using var writer = new Utf8JsonWriter(buffer, KrakenWireWriter.WriterOptions);
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var item))
                {
                    await WaitWhileStalledAsync();
                    if (Volatile.Read(ref _ending) is { DrainFirst: false })
                    {
                        return;
                    }

                    ReadOnlyMemory<byte> payload = item.Payload;
                    if (item.Kind == KrakenOutboundKind.Trades)
                    {
                        buffer.ResetWrittenCount();
                        writer.Reset(buffer);
                        KrakenWireWriter.WriteTrades(writer, item.Type, item.Instrument!, item.Trades!);
                        writer.Flush();
                        payload = buffer.WrittenMemory;
                    }

                    await _socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                    if (item.Kind == KrakenOutboundKind.Malformed)
                    {
                        _faults.Count(Exchange.Kraken, FaultKind.MalformedFrame);
                    }
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            End(new SessionEnd(SessionEndReason.ConnectionLost, Detail: e.Message));
        }
    }

    private async Task WaitWhileStalledAsync()
    {
        while (_faults.IsStalled(Exchange.Kraken) && Volatile.Read(ref _ending) is not { DrainFirst: false })
        {
            await Task.Delay(StallPollInterval, TimeProvider.System);
        }
    }

    /// <summary>Sends the close frame and waits for the client's, so the client reads the reason before EOF.</summary>
    private async Task CloseAsync(WebSocketCloseStatus status, string? description, Task receiving)
    {
        using var timeout = new CancellationTokenSource(CloseHandshakeTimeout);
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(status, description, timeout.Token);
            }

            await receiving.WaitAsync(timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            _socket.Abort();
        }
    }

    /// <summary>Renders a message off the hot path (answers, the greeting, heartbeats).</summary>
    private static byte[] Render(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(InitialSendBufferBytes);
        using (var writer = new Utf8JsonWriter(buffer, KrakenWireWriter.WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>How the connection ends, and whether what is queued goes out first.</summary>
    private sealed record Ending(SessionEnd End, bool DrainFirst);
}
