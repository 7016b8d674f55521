using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using K2.Core;
using K2.Core.Exchanges.Coinbase;
using K2.Simulator.Faults;
using K2.Simulator.Hosting;
using K2.Simulator.WebSockets;

namespace K2.Simulator.Coinbase;

/// <summary>
/// One client connection to the simulated Coinbase Advanced Trade market-data server. A receive loop answers
/// subscribes, timers batch trades (<see cref="SimulatorOptions.CoinbaseBatchInterval"/>) and tick heartbeats, and a
/// send loop drains a bounded outgoing queue; a client that falls <see cref="MaxQueuedMessages"/> behind is cut.
/// </summary>
/// <remarks>
/// <para>Every message the connection produces takes the next <c>sequence_num</c> (0, 1, 2… across all channels), in
/// the order it was produced, whether or not a fault then keeps it off the wire: a client detects a dropped message by
/// the gap, as on the real feed. Errors carry no sequence number.</para>
/// <para>Message order after a market_trades subscribe: a <c>snapshot</c> of the newly subscribed products, then the
/// <c>subscriptions</c> acknowledgement (public logs show snapshot 0, subscriptions 1), then <c>update</c>s.</para>
/// </remarks>
internal sealed partial class CoinbaseStreamConnection : ISimulatedConnection
{
    /// <summary>Messages a session may have waiting before it counts as too slow and is cut.</summary>
    public const int MaxQueuedMessages = 10_000;

    /// <summary>A subscribe naming every product is a few KiB; anything far larger is not a request.</summary>
    private const int MaxRequestBytes = 64 * 1024;

    private const int ReceiveChunkBytes = 4 * 1024;
    private const int InitialRenderBufferBytes = 1024;

    /// <summary>Coinbase counts incoming messages per second.</summary>
    private static readonly TimeSpan RateLimitWindow = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a close handshake the server starts may take before the connection is cut. A transport deadline on
    /// the system clock: a frozen test clock must not hold a socket open.
    /// </summary>
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    private readonly WebSocket _socket;
    private readonly CoinbaseVenue _venue;
    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly FaultPlan _faults;
    private readonly ILogger _logger;
    private readonly long _handshakeTimestamp;
    private readonly IncomingMessageRateLimit _rateLimit;
    private readonly Channel<CoinbaseOutbound> _outbound = Channel.CreateBounded<CoinbaseOutbound>(
        new BoundedChannelOptions(MaxQueuedMessages) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    // Everything below changes under the gate: subscriptions, pending trades, sequence numbers and the queue order, so
    // that sequence numbers follow queue order and no trade of a product follows the acknowledgement that dropped it.
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _render = new(InitialRenderBufferBytes);
    private readonly Utf8JsonWriter _writer;
    private readonly SortedSet<string> _products = new(StringComparer.Ordinal);
    private readonly List<PendingTrade> _pending = [];
    private bool _heartbeats;
    private bool _subscribed;
    private long _nextSequence;
    private long _heartbeatCounter;
    private long _malformedSent;
    private byte[]? _heldUpdate;
    private ITimer? _batchTimer;
    private ITimer? _heartbeatTimer;
    private ITimer? _subscribeTimer;
    private bool _closing;
    private SessionEnd? _end;

    public CoinbaseStreamConnection(
        long id, WebSocket socket, CoinbaseVenue venue, SimulatorOptions options, TimeProvider time, ILogger logger, long handshakeTimestamp)
    {
        Id = id;
        _socket = socket;
        _venue = venue;
        _options = options;
        _time = time;
        _faults = venue.Faults;
        _logger = logger;
        _handshakeTimestamp = handshakeTimestamp;
        _rateLimit = new IncomingMessageRateLimit(CoinbaseEndpoints.MaxIncomingMessagesPerSecond, RateLimitWindow, time);
        _writer = new Utf8JsonWriter(_render, CoinbaseWireWriter.WriterOptions);
        ConnectedAt = time.GetUtcNow();
    }

    public long Id { get; }

    public DateTimeOffset ConnectedAt { get; }

    /// <summary>Streams as <c>heartbeats</c> and <c>market_trades:BTC-USD</c>.</summary>
    public SimulatedSession Describe()
    {
        lock (_gate)
        {
            IEnumerable<string> streams = _heartbeats ? [CoinbaseEndpoints.HeartbeatsChannel] : [];
            return new SimulatedSession(
                Exchange.Coinbase, Id, [.. streams, .. _products.Select(p => $"{CoinbaseEndpoints.MarketTradesChannel}:{p}")], ConnectedAt);
        }
    }

    public void Abort() => End(new SessionEnd(SessionEndReason.Dropped));

    /// <summary>Cuts the session because the simulator is stopping.</summary>
    public void Stop() => End(new SessionEnd(SessionEndReason.ServerStopping));

    /// <summary>Takes a printed trade of a product this session subscribes to, for the next batch. Never waits.</summary>
    public void Offer(PrintedTrade trade, string product)
    {
        lock (_gate)
        {
            if (IsOpen && _products.Contains(product))
            {
                _pending.Add(new PendingTrade(trade, _faults.IsSkippingTrades(Exchange.Coinbase)));
            }
        }
    }

    /// <summary>Serves the connection until it ends, then completes the close handshake or cuts it.</summary>
    public async Task RunAsync()
    {
        LogOpened(_logger, Id);
        StartTimers();
        var receiving = ReceiveLoopAsync();
        await SendLoopAsync();

        // The send loop returns only once the session has ended.
        var end = Volatile.Read(ref _end)!;
        StopTimers();
        if (end.CloseStatus is { } status)
        {
            await CloseAsync(status, end.CloseDescription, receiving);
        }

        await receiving;
        switch (end.Reason)
        {
            case SessionEndReason.RateLimited:
                LogRateLimited(_logger, Id, CoinbaseEndpoints.MaxIncomingMessagesPerSecond);
                break;
            case SessionEndReason.TooSlow:
                LogTooSlow(_logger, Id, MaxQueuedMessages);
                break;
            default:
                LogClosed(_logger, Id, end.Reason, end.Detail);
                break;
        }
    }

    private bool IsOpen => _end is null && !_closing;

    /// <summary>
    /// The subscribe deadline counts from the handshake, so a clock that moved before this session started still
    /// counts; the batch timer ticks from now on.
    /// </summary>
    private void StartTimers()
    {
        var remaining = _options.CoinbaseSubscribeTimeout - _time.GetElapsedTime(_handshakeTimestamp);
        lock (_gate)
        {
            _batchTimer = _time.CreateTimer(
                static state => ((CoinbaseStreamConnection)state!).OnBatchDue(), this, _options.CoinbaseBatchInterval, _options.CoinbaseBatchInterval);
            if (!_subscribed && remaining > TimeSpan.Zero)
            {
                _subscribeTimer = _time.CreateTimer(
                    static state => ((CoinbaseStreamConnection)state!).OnSubscribeDeadline(), this, remaining, Timeout.InfiniteTimeSpan);
            }
        }

        if (remaining <= TimeSpan.Zero)
        {
            OnSubscribeDeadline();
        }
    }

    private void StopTimers()
    {
        lock (_gate)
        {
            _batchTimer?.Dispose();
            _heartbeatTimer?.Dispose();
            _subscribeTimer?.Dispose();
        }
    }

    /// <summary>Closes a connection that never subscribed; decided under the gate, so a subscribe cannot slip in between.</summary>
    private void OnSubscribeDeadline()
    {
        lock (_gate)
        {
            if (_subscribed || !IsOpen)
            {
                return;
            }

            _closing = true;
            End(new SessionEnd(SessionEndReason.Dropped, WebSocketCloseStatus.PolicyViolation, CoinbaseErrors.SubscribeTimeoutCloseReason,
                "no subscribe within the timeout"));
        }

        LogSubscribeTimeout(_logger, Id, _options.CoinbaseSubscribeTimeout);
    }

    /// <summary>The first ending wins; one without a close frame cuts the socket, which also unblocks a stuck send.</summary>
    private void End(SessionEnd end)
    {
        if (Interlocked.CompareExchange(ref _end, end, null) is not null)
        {
            return;
        }

        _outbound.Writer.TryComplete();
        if (end.CloseStatus is null)
        {
            _socket.Abort();
        }
    }

    /// <summary>Ends the session once everything queued so far is sent; nothing is queued after it. Under the gate.</summary>
    private void EndAfterQueued(SessionEnd end)
    {
        if (!IsOpen)
        {
            return;
        }

        _closing = true;
        if (!_outbound.Writer.TryWrite(CoinbaseOutbound.Close(end)))
        {
            End(new SessionEnd(SessionEndReason.TooSlow));
        }
    }

    /// <summary>Queues a message; a full queue means the client stopped reading. Under the gate.</summary>
    private void Enqueue(byte[] payload)
    {
        if (!_outbound.Writer.TryWrite(CoinbaseOutbound.Message(payload)))
        {
            End(new SessionEnd(SessionEndReason.TooSlow));
        }
    }

    /// <summary>Renders a message with the connection's reusable writer. Under the gate.</summary>
    private byte[] Render(Action<Utf8JsonWriter> write)
    {
        _render.ResetWrittenCount();
        _writer.Reset(_render);
        write(_writer);
        _writer.Flush();
        return _render.WrittenSpan.ToArray();
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

    private async Task SendLoopAsync()
    {
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync() && Volatile.Read(ref _end) is null)
            {
                while (Volatile.Read(ref _end) is null && reader.TryRead(out var item))
                {
                    if (item.End is { } end)
                    {
                        End(end);
                        break;
                    }

                    await _socket.SendAsync(item.Payload!, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            End(new SessionEnd(SessionEndReason.ConnectionLost, Detail: e.Message));
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

    /// <summary>A trade waiting for the next batch, and whether the skip fault was on when it was printed.</summary>
    private readonly record struct PendingTrade(PrintedTrade Trade, bool Skipped);
}
