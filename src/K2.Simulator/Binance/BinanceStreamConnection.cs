using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Simulator.Faults;
using K2.Simulator.Hosting;
using K2.Simulator.WebSockets;

namespace K2.Simulator.Binance;

/// <summary>
/// One client connection to the simulated Binance stream server. A receive loop answers requests, a send loop
/// drains a bounded outgoing queue, and trades are queued by the printing thread without waiting; a client that
/// falls <see cref="MaxQueuedMessages"/> behind is cut, as is one over Binance's incoming-message limit. The
/// connection is closed at <see cref="SimulatorOptions.BinanceConnectionLifetime"/>, and the faults armed in the
/// <see cref="FaultPlan"/> act here (see BinanceStreamConnection.Faults.cs).
/// </summary>
internal sealed partial class BinanceStreamConnection : ISimulatedConnection
{
    /// <summary>Messages a session may have waiting before it counts as too slow and is cut.</summary>
    public const int MaxQueuedMessages = 10_000;

    /// <summary>A SUBSCRIBE naming 1024 streams is about 30 KiB; anything far larger is not a request.</summary>
    private const int MaxRequestBytes = 64 * 1024;

    private const int ReceiveChunkBytes = 4 * 1024;
    private const int InitialSendBufferBytes = 512;

    /// <summary>Binance counts incoming messages per second.</summary>
    private static readonly TimeSpan RateLimitWindow = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a close handshake the server starts may take before the connection is cut. A transport deadline
    /// on the system clock, like the keep-alive .NET runs: a frozen test clock must not hold a socket open.
    /// </summary>
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    private readonly WebSocket _socket;
    private readonly BinanceVenue _venue;
    private readonly BinanceTimeUnit _timeUnit;
    private readonly TimeProvider _time;
    private readonly FaultPlan _faults;
    private readonly TimeSpan _lifetime;
    private readonly TimeSpan _shutdownGrace;
    private readonly ILogger _logger;
    private readonly IncomingMessageRateLimit _rateLimit;
    private readonly Channel<BinanceOutbound> _outbound = Channel.CreateBounded<BinanceOutbound>(
        new BoundedChannelOptions(MaxQueuedMessages) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Completes when the session ends, to wake a send loop that waits for something else (a stall's end).</summary>
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Subscriptions and the combined flag change under the gate together with queueing the answer, so no trade of
    // an unsubscribed stream follows the answer and every trade after a SUBSCRIBE answer is delivered.
    private readonly Lock _gate = new();
    private readonly OrderedDictionary<string, bool> _streams = new(StringComparer.Ordinal);
    private bool _combined;

    // Set once the server decided to close (lifetime reached, shutdown grace over): nothing more is queued.
    private bool _closing;
    private SessionEnd? _end;

    // Used by the send loop only.
    private readonly ArrayBufferWriter<byte> _sendBuffer = new(InitialSendBufferBytes);
    private Utf8JsonWriter? _sendWriter;

    public BinanceStreamConnection(
        long id, WebSocket socket, BinanceVenue venue, IReadOnlyList<string> streams, bool combined, BinanceTimeUnit timeUnit,
        SimulatorOptions options, FaultPlan faults, TimeProvider time, ILogger logger)
    {
        Id = id;
        _socket = socket;
        _venue = venue;
        _combined = combined;
        _timeUnit = timeUnit;
        _lifetime = options.BinanceConnectionLifetime;
        _shutdownGrace = options.BinanceShutdownGrace;
        _faults = faults;
        _time = time;
        _logger = logger;
        _rateLimit = new IncomingMessageRateLimit(BinanceEndpoints.MaxIncomingMessagesPerSecond, RateLimitWindow, time);
        ConnectedAt = time.GetUtcNow();
        foreach (var stream in streams)
        {
            _streams.TryAdd(stream, true);
        }
    }

    public long Id { get; }

    public DateTimeOffset ConnectedAt { get; }

    public SimulatedSession Describe()
    {
        lock (_gate)
        {
            return new SimulatedSession(Exchange.Binance, Id, [.. _streams.Keys], ConnectedAt);
        }
    }

    public void Abort() => End(new SessionEnd(SessionEndReason.Dropped));

    /// <summary>Cuts the session because the simulator is stopping.</summary>
    public void Stop() => End(new SessionEnd(SessionEndReason.ServerStopping));

    /// <summary>Called by the transport for every PING or PONG frame the client sends: both count as messages.</summary>
    public void OnControlFrame()
    {
        if (!_rateLimit.TryRecord())
        {
            End(RateLimited());
        }
    }

    /// <summary>
    /// Queues a printed trade if the session subscribes to its stream, unless a stall or skip is in force (then it
    /// is counted and left to REST). Never waits.
    /// </summary>
    public void Offer(PrintedTrade trade, string stream)
    {
        bool queued;
        lock (_gate)
        {
            if (_end is not null || _closing || !_streams.ContainsKey(stream))
            {
                return;
            }

            if (_faults.IsStalled(Exchange.Binance))
            {
                _faults.Count(Exchange.Binance, FaultKind.StalledTrade);
                return;
            }

            if (_faults.IsSkippingTrades(Exchange.Binance))
            {
                _faults.Count(Exchange.Binance, FaultKind.SkippedTrade);
                return;
            }

            queued = _outbound.Writer.TryWrite(BinanceOutbound.ForTrade(trade, _combined ? stream : null));
        }

        if (!queued)
        {
            End(new SessionEnd(SessionEndReason.TooSlow));
        }
    }

    /// <summary>Serves the connection until it ends, then completes the close handshake or cuts it.</summary>
    public async Task RunAsync()
    {
        LogOpened(_logger, Id, string.Join(',', Describe().Streams), _timeUnit);
        var lifetime = StartLifetimeTimer();
        try
        {
            var receiving = ReceiveLoopAsync();
            await SendLoopAsync();

            // The send loop returns only once the session has ended.
            var end = Volatile.Read(ref _end)!;
            if (end.CloseStatus is { } status)
            {
                await CloseAsync(status, end.CloseDescription, receiving);
            }

            await receiving;
            LogEnd(end);
        }
        finally
        {
            lifetime?.Dispose();
            StopShutdownTimer();
        }
    }

    private void LogEnd(SessionEnd end)
    {
        switch (end.Reason)
        {
            case SessionEndReason.RateLimited:
                LogRateLimited(_logger, Id, BinanceEndpoints.MaxIncomingMessagesPerSecond);
                break;
            case SessionEndReason.TooSlow:
                LogTooSlow(_logger, Id, MaxQueuedMessages);
                break;
            default:
                LogClosed(_logger, Id, end.Reason, end.Detail);
                break;
        }
    }

    private static SessionEnd RateLimited() =>
        new(SessionEndReason.RateLimited, WebSocketCloseStatus.PolicyViolation, BinanceErrors.TooManyRequestsCloseReason);

    /// <summary>The first ending wins; one without a close frame cuts the socket, which also unblocks a stuck send.</summary>
    private void End(SessionEnd end)
    {
        if (Interlocked.CompareExchange(ref _end, end, null) is not null)
        {
            return;
        }

        _outbound.Writer.TryComplete();
        _ended.TrySetResult();
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
                    // After the session ended, messages are read only to reach the client's close frame.
                    if (Volatile.Read(ref _end) is null)
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
    /// Sends what is queued, in order, except where a fault says otherwise: nothing leaves while the exchange is
    /// stalled, a trade frame may be held back behind the next one or sent twice. Returns once the session ended.
    /// </summary>
    private async Task SendLoopAsync()
    {
        var reader = _outbound.Reader;
        try
        {
            while (await WaitForNextAsync(reader) && Volatile.Read(ref _end) is null)
            {
                if (!reader.TryRead(out var item))
                {
                    continue;
                }

                await WaitWhileStalledAsync();
                if (Volatile.Read(ref _end) is not null)
                {
                    return;
                }

                switch (item.Kind)
                {
                    case BinanceOutboundKind.Trade:
                        await SendTradeInTurnAsync(item);
                        break;
                    case BinanceOutboundKind.Reply:
                        await SendAsync(item.Reply!);
                        break;
                    case BinanceOutboundKind.Malformed:
                        await SendMalformedAsync(item.Malformed!);
                        break;
                    case BinanceOutboundKind.ServerShutdown:
                        await SendServerShutdownAsync(item.CombinedStream);
                        break;
                    case BinanceOutboundKind.Close:
                        await FlushHeldTradeAsync();
                        End(item.End!);
                        return;
                    default:
                        throw new InvalidOperationException($"Unknown outbound message kind {item.Kind}.");
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            End(new SessionEnd(SessionEndReason.ConnectionLost, Detail: e.Message));
        }
        finally
        {
            ReleaseHeldTrade();
            _sendWriter?.Dispose();
        }
    }

    /// <summary>Renders a trade event (its event time is now, never before the trade) and sends it, twice if so armed.</summary>
    private async Task SendTradeAsync(BinanceOutbound item)
    {
        var trade = item.Trade!;
        var eventTime = new UnixMicros(Math.Max(UnixMicros.Now(_time).Value, trade.TradeTime.Value));
        var payload = RenderToSend(w => BinanceWireWriter.WriteTradeEvent(w, trade, item.CombinedStream, _timeUnit, eventTime));
        var duplicate = _faults.TakeDuplicate(Exchange.Binance);
        if (duplicate)
        {
            _faults.Count(Exchange.Binance, FaultKind.DuplicatedFrame);
        }

        await SendAsync(payload);
        if (duplicate)
        {
            await SendAsync(payload);
        }
    }

    private ValueTask SendAsync(ReadOnlyMemory<byte> payload) =>
        _socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>Renders into the send loop's buffer; the result is valid until the next render.</summary>
    private ReadOnlyMemory<byte> RenderToSend(Action<Utf8JsonWriter> write)
    {
        _sendBuffer.ResetWrittenCount();
        if (_sendWriter is null)
        {
            _sendWriter = new Utf8JsonWriter(_sendBuffer, BinanceWireWriter.WriterOptions);
        }
        else
        {
            _sendWriter.Reset(_sendBuffer);
        }

        write(_sendWriter);
        _sendWriter.Flush();
        return _sendBuffer.WrittenMemory;
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
}
