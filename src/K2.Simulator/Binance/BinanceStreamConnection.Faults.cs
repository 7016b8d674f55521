using System.Net.WebSockets;
using System.Threading.Channels;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Simulator.WebSockets;

namespace K2.Simulator.Binance;

/// <summary>
/// The faults as one connection plays them, each counted in the <c>FaultPlan</c> when it happens:
/// <list type="bullet">
/// <item>Skip and stall drop trades as they are offered (<see cref="Offer"/>). A stall also holds everything
/// already queued (answers, malformed frames, <c>serverShutdown</c>, a close) until it ends. The PING frames .NET's
/// keep-alive sends cannot be held, so a stalled Binance connection still pings and answers pings: K2 must detect a
/// Binance stall by the absence of data frames, not of control frames.</item>
/// <item>Duplicate: a trade frame is sent twice, byte for byte.</item>
/// <item>Reorder: a trade frame is held back and sent right after the next trade frame of this connection (answers
/// and other frames may pass it). It is never lost: when no trade frame follows within
/// <see cref="ReorderHoldLimit"/>, or the server closes, it is sent as it is; only such a swap counts.</item>
/// <item>Malformed frames, <c>serverShutdown</c> and its close after the grace, and the lifetime cut.</item>
/// </list>
/// </summary>
internal sealed partial class BinanceStreamConnection
{
    /// <summary>The longest a reordered trade frame waits for a frame to swap with (on the injected clock).</summary>
    public static readonly TimeSpan ReorderHoldLimit = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a stalled send loop looks whether the stall is over (on the injected clock).</summary>
    private static readonly TimeSpan StallPollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest timer due time .NET accepts; a longer lifetime means no cut.</summary>
    private static readonly TimeSpan MaxTimerDueTime = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    // Binance documents neither close frame; 1001 "going away" is what a server that leaves sends (RFC 6455 7.4.1).
    // The texts are the simulator's own, for K2's logs.
    private static readonly SessionEnd ShutdownEnd =
        new(SessionEndReason.ServerStopping, WebSocketCloseStatus.EndpointUnavailable, "Server shutdown", "serverShutdown grace over");

    private static readonly SessionEnd LifetimeEnd =
        new(SessionEndReason.ServerStopping, WebSocketCloseStatus.EndpointUnavailable, "Connection lifetime reached", "24 h cut");

    // Under the gate.
    private ITimer? _shutdownTimer;
    private long _malformedQueued;

    // Used by the send loop only.
    private BinanceOutbound? _heldTrade;
    private CancellationTokenSource? _heldTradeDeadline;

    /// <summary>Queues <c>serverShutdown</c> and closes the connection <see cref="SimulatorOptions.BinanceShutdownGrace"/> later.</summary>
    public void AnnounceShutdown()
    {
        bool queued;
        lock (_gate)
        {
            if (_end is not null || _closing)
            {
                return;
            }

            queued = _outbound.Writer.TryWrite(BinanceOutbound.ForServerShutdown(_combined));
            _shutdownTimer ??= _time.CreateTimer(
                static state => ((BinanceStreamConnection)state!).BeginClose(ShutdownEnd), this, _shutdownGrace, Timeout.InfiniteTimeSpan);
        }

        if (!queued)
        {
            End(new SessionEnd(SessionEndReason.TooSlow));
        }
    }

    /// <summary>
    /// Queues <paramref name="count"/> malformed frames, continuing this connection's cycle through the variants,
    /// on a stream it carries (or, with none, on any of the venue's).
    /// </summary>
    public void QueueMalformedFrames(int count)
    {
        var queued = true;
        lock (_gate)
        {
            if (_end is not null || _closing)
            {
                return;
            }

            var symbol = _streams.Count > 0 ? BinanceSymbols.SymbolOfTradeStream(_streams.GetAt(0).Key)! : _venue.AnySymbol;
            for (var i = 0; i < count && queued; i++)
            {
                var frame = new BinanceMalformedFrame(
                    BinanceMalformedFrames.Variant(_malformedQueued++), symbol, _venue.NextMalformedTradeId(), _combined);
                queued = _outbound.Writer.TryWrite(BinanceOutbound.ForMalformed(frame));
            }
        }

        if (!queued)
        {
            End(new SessionEnd(SessionEndReason.TooSlow));
        }
    }

    /// <summary>Closes the connection when it reaches its lifetime, counted from the handshake.</summary>
    private ITimer? StartLifetimeTimer()
    {
        if (_lifetime == Timeout.InfiniteTimeSpan || _lifetime > MaxTimerDueTime)
        {
            return null;
        }

        var due = _lifetime - (_time.GetUtcNow() - ConnectedAt);
        return _time.CreateTimer(static state => ((BinanceStreamConnection)state!).OnLifetimeReached(), this,
            due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private void OnLifetimeReached()
    {
        if (BeginClose(LifetimeEnd))
        {
            _faults.Count(Exchange.Binance, FaultKind.LifetimeCut);
            LogFault(_logger, Id, FaultKind.LifetimeCut);
        }
    }

    private void StopShutdownTimer()
    {
        lock (_gate)
        {
            _shutdownTimer?.Dispose();
        }
    }

    /// <summary>
    /// Queues the close behind everything already queued, so what the server sent before it decided to close still
    /// arrives; trades printed afterwards are not queued. False when the session was already ending.
    /// </summary>
    private bool BeginClose(SessionEnd end)
    {
        bool queued;
        lock (_gate)
        {
            if (_end is not null || _closing)
            {
                return false;
            }

            _closing = true;
            queued = _outbound.Writer.TryWrite(BinanceOutbound.ForClose(end));
        }

        if (!queued)
        {
            End(new SessionEnd(SessionEndReason.TooSlow));
        }

        return true;
    }

    /// <summary>
    /// Waits until something is queued; false once the queue is complete and empty. While a reordered trade is
    /// held and nothing is queued, waits no longer than its deadline, then sends it as it is.
    /// </summary>
    private async ValueTask<bool> WaitForNextAsync(ChannelReader<BinanceOutbound> reader)
    {
        if (_heldTradeDeadline is not { } deadline || reader.TryPeek(out _))
        {
            return await reader.WaitToReadAsync();
        }

        try
        {
            return await reader.WaitToReadAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // Nothing followed the held trade in time; a frame that came meanwhile lets the loop go on instead.
            if (!reader.TryPeek(out _))
            {
                await WaitWhileStalledAsync();
                await FlushHeldTradeAsync();
            }

            return true;
        }
    }

    /// <summary>A trade frame, unless a reorder holds it back; a held one goes right after the next.</summary>
    private async Task SendTradeInTurnAsync(BinanceOutbound item)
    {
        if (_heldTrade is { } held)
        {
            ReleaseHeldTrade();
            _faults.Count(Exchange.Binance, FaultKind.ReorderedFrame);
            await SendTradeAsync(item);
            await SendTradeAsync(held);
        }
        else if (_faults.TakeReorder(Exchange.Binance))
        {
            _heldTrade = item;
            _heldTradeDeadline = new CancellationTokenSource(ReorderHoldLimit, _time);
        }
        else
        {
            await SendTradeAsync(item);
        }
    }

    /// <summary>Sends the held trade, if any, in its own place: no later trade frame came to swap it with.</summary>
    private async Task FlushHeldTradeAsync()
    {
        if (_heldTrade is { } held)
        {
            ReleaseHeldTrade();
            await SendTradeAsync(held);
        }
    }

    private void ReleaseHeldTrade()
    {
        _heldTrade = null;
        _heldTradeDeadline?.Dispose();
        _heldTradeDeadline = null;
    }

    /// <summary>
    /// Returns once the exchange is no longer stalled, or the session ended. Polls on the injected clock: the
    /// fault plan may extend a stall at any time, and a test clock only moves when advanced.
    /// </summary>
    private async Task WaitWhileStalledAsync()
    {
        if (!_faults.IsStalled(Exchange.Binance))
        {
            return;
        }

        var resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var poll = _time.CreateTimer(
            _ =>
            {
                if (!_faults.IsStalled(Exchange.Binance))
                {
                    resumed.TrySetResult();
                }
            },
            null, StallPollInterval, StallPollInterval);

        // Asked again now that the timer runs: the clock may have passed the end of the stall in between.
        if (_faults.IsStalled(Exchange.Binance))
        {
            await Task.WhenAny(resumed.Task, _ended.Task);
        }
    }

    private async Task SendMalformedAsync(BinanceMalformedFrame frame)
    {
        var payload = BinanceMalformedFrames.Render(frame.Variant, frame.Symbol, frame.TradeId, frame.Combined, _timeUnit, UnixMicros.Now(_time));
        _faults.Count(Exchange.Binance, FaultKind.MalformedFrame);
        await SendAsync(payload);
    }

    private async Task SendServerShutdownAsync(string? combinedStream)
    {
        var payload = RenderToSend(w => BinanceWireWriter.WriteServerShutdown(w, combinedStream, _timeUnit, UnixMicros.Now(_time)));
        _faults.Count(Exchange.Binance, FaultKind.ServerShutdown);
        LogFault(_logger, Id, FaultKind.ServerShutdown);
        await SendAsync(payload);
    }
}
