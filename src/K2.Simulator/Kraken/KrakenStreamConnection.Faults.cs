using K2.Core;

namespace K2.Simulator.Kraken;

/// <summary>
/// Heartbeats, and the faults as one connection plays them, each counted in the <c>FaultPlan</c> when it happens:
/// <list type="bullet">
/// <item>Skip and stall drop update messages as they are offered, counting each trade (<see cref="OfferUpdate"/>).
/// A stall also sends no heartbeats and holds everything already queued (answers, snapshots, malformed frames)
/// until it ends.</item>
/// <item>Duplicate: an update message is queued twice, byte for byte.</item>
/// <item>Reorder: an update message is held back and queued right after the next update of the same symbol, so the
/// client sees that symbol's trade ids go backwards. It is never lost: if the connection falls idle first, it goes
/// out in place of the heartbeat, and before the answer that unsubscribes its symbol; only a real swap counts.</item>
/// <item>Malformed frames (<see cref="KrakenMalformedVariant"/>), counted once sent.</item>
/// </list>
/// </summary>
internal sealed partial class KrakenStreamConnection
{
    // Under the gate.
    private KrakenOutbound? _heldUpdate;
    private long _malformedQueued;

    /// <summary>
    /// Queues <paramref name="count"/> malformed frames, continuing this connection's cycle through the variants,
    /// on a symbol it subscribes to (or, with none, on any of the venue's).
    /// </summary>
    public void QueueMalformedFrames(int count)
    {
        lock (_gate)
        {
            var instrument = _subscriptions.Count > 0 && _venue.TryGetInstrument(_subscriptions.GetAt(0).Key, out var subscribed)
                ? subscribed
                : _venue.AnyInstrument;
            for (var i = 0; i < count && _ending is null; i++)
            {
                var variant = KrakenMalformedFrames.Variant(_malformedQueued++);
                Enqueue(KrakenOutbound.ForMalformed(
                    KrakenMalformedFrames.Render(variant, instrument, _venue.NextMalformedTradeId(), UnixMicros.Now(_time))));
            }
        }
    }

    /// <summary>Queues an update, unless a reorder holds it back; a held one goes right after the next of its symbol.</summary>
    private void QueueUpdateInTurn(KrakenOutbound update)
    {
        if (_heldUpdate is { } held && held.Instrument == update.Instrument)
        {
            _heldUpdate = null;
            Enqueue(update);
            Enqueue(held);
            _faults.Count(Exchange.Kraken, FaultKind.ReorderedFrame);
            return;
        }

        if (_heldUpdate is null && _faults.TakeReorder(Exchange.Kraken))
        {
            _heldUpdate = update;
            return;
        }

        Enqueue(update);
        if (_faults.TakeDuplicate(Exchange.Kraken))
        {
            Enqueue(update);
            _faults.Count(Exchange.Kraken, FaultKind.DuplicatedFrame);
        }
    }

    /// <summary>Queues a held update as it is (no swap happened), e.g. before its symbol is unsubscribed.</summary>
    private void ReleaseHeldUpdate(string? symbol = null)
    {
        if (_heldUpdate is { } held && (symbol is null || held.Instrument!.ExchangeSymbol == symbol))
        {
            _heldUpdate = null;
            Enqueue(held);
        }
    }

    /// <summary>Heartbeats start with the first subscription, as Kraken's do.</summary>
    private void StartHeartbeats() =>
        _heartbeat ??= _time.CreateTimer(
            static state => ((KrakenStreamConnection)state!).OnHeartbeatDue(), this, _venue.HeartbeatInterval, Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Sends a heartbeat if nothing was queued for a whole interval (a held update, if any, goes instead), and looks
    /// again one interval after the last message. A stalled exchange sends none.
    /// </summary>
    private void OnHeartbeatDue()
    {
        lock (_gate)
        {
            if (_ending is not null || _heartbeat is null)
            {
                return;
            }

            var idle = _time.GetElapsedTime(_lastQueuedAt);
            if (idle >= _venue.HeartbeatInterval && !_faults.IsStalled(Exchange.Kraken))
            {
                if (_heldUpdate is not null)
                {
                    ReleaseHeldUpdate();
                }
                else
                {
                    Enqueue(KrakenOutbound.ForReply(HeartbeatFrame));
                }

                idle = TimeSpan.Zero;
            }

            var next = idle >= _venue.HeartbeatInterval ? _venue.HeartbeatInterval : _venue.HeartbeatInterval - idle;
            _heartbeat.Change(next, Timeout.InfiniteTimeSpan);
        }
    }

    private static readonly byte[] HeartbeatFrame = Render(KrakenWireWriter.WriteHeartbeat);
}
