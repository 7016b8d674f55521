using K2.Core;

namespace K2.Simulator.Coinbase;

/// <summary>
/// The timed messages (update batches, heartbeats) and the faults as one connection plays them, each counted in the
/// fault plan when it happens:
/// <list type="bullet">
/// <item>Skip: trades printed while skipping are left out of their batch; the message that would have carried them
/// still takes a sequence number, so the client sees a gap, as with a message Coinbase dropped. One
/// <see cref="FaultKind.SkippedTrade"/> per trade kept from this connection.</item>
/// <item>Stall: nothing at all is sent (updates, heartbeats, acknowledgements, errors), but every message still takes
/// its sequence number and every heartbeat its counter, so both show the gap afterwards. One
/// <see cref="FaultKind.StalledTrade"/> per trade kept from this connection.</item>
/// <item>Duplicate: an <c>update</c> sent twice, byte for byte (same sequence number).</item>
/// <item>Reorder: an <c>update</c> held back and sent right after the next message of this connection, which then has
/// the higher sequence number. It is never lost: with nothing to pass it by the next batch tick, it goes out then
/// unswapped. Only a swap counts.</item>
/// <item>Malformed frames (<see cref="CoinbaseMalformedFrames"/>), each taking a sequence number.</item>
/// </list>
/// </summary>
internal sealed partial class CoinbaseStreamConnection
{
    /// <summary>Queues <paramref name="count"/> malformed frames, continuing this connection's cycle through the variants.</summary>
    public void SendMalformedFrames(int count)
    {
        lock (_gate)
        {
            var product = _products.Count > 0 ? _products.Min! : _venue.AnyProduct;
            for (var i = 0; i < count && IsOpen; i++)
            {
                var variant = CoinbaseMalformedFrames.Variant(_malformedSent);
                if (TakeSequence(0, out var sequence))
                {
                    Send(CoinbaseMalformedFrames.Render(variant, sequence, _time.GetUtcNow(), product, _venue.NextMalformedNumber()));
                    _faults.Count(Exchange.Coinbase, FaultKind.MalformedFrame);
                    _malformedSent++;
                }
            }
        }
    }

    /// <summary>Every batch interval: what the subscribed products traded since the last one, one event per product.</summary>
    private void OnBatchDue()
    {
        lock (_gate)
        {
            if (!IsOpen)
            {
                return;
            }

            var stalled = _faults.IsStalled(Exchange.Coinbase);
            if (_pending.Count == 0)
            {
                if (!stalled)
                {
                    ReleaseHeldUpdate(swapped: false);
                }

                return;
            }

            if (stalled)
            {
                TakeSequence(_pending.Count, out _);
                _pending.Clear();
                return;
            }

            var skipped = _pending.Count(p => p.Skipped);
            if (skipped > 0)
            {
                // The dropped message that would have carried them.
                _nextSequence++;
                _faults.Count(Exchange.Coinbase, FaultKind.SkippedTrade, skipped);
            }

            List<IReadOnlyList<PrintedTrade>> events =
            [
                .. _pending.Where(p => !p.Skipped).Select(p => p.Trade)
                    .GroupBy(t => t.ExchangeSymbol, StringComparer.Ordinal)
                    .Select(g => (IReadOnlyList<PrintedTrade>)[.. g]),
            ];
            _pending.Clear();
            if (events.Count == 0)
            {
                ReleaseHeldUpdate(swapped: false);
                return;
            }

            var sequence = _nextSequence++;
            var now = _time.GetUtcNow();
            SendUpdate(Render(w => CoinbaseWireWriter.WriteMarketTrades(w, sequence, now, CoinbaseWireWriter.UpdateType, events, _options.CoinbaseSideConvention)));
        }
    }

    private void OnHeartbeatDue()
    {
        lock (_gate)
        {
            if (!IsOpen || !_heartbeats)
            {
                return;
            }

            var counter = ++_heartbeatCounter;
            if (TakeSequence(0, out var sequence))
            {
                var now = _time.GetUtcNow();
                var monotonic = _time.GetElapsedTime(_venue.StartedTimestamp);
                Send(Render(w => CoinbaseWireWriter.WriteHeartbeat(w, sequence, now, counter, monotonic)));
            }
        }
    }

    /// <summary>
    /// Takes the next sequence number for a message; false when a stall keeps it off the wire (its trades then count
    /// as stalled). Under the gate.
    /// </summary>
    private bool TakeSequence(int trades, out long sequence)
    {
        sequence = _nextSequence++;
        if (!_faults.IsStalled(Exchange.Coinbase))
        {
            return true;
        }

        if (trades > 0)
        {
            _faults.Count(Exchange.Coinbase, FaultKind.StalledTrade, trades);
        }

        return false;
    }

    /// <summary>An <c>update</c>, which duplicate and reorder faults apply to. Under the gate.</summary>
    private void SendUpdate(byte[] payload)
    {
        if (_heldUpdate is null && _faults.TakeReorder(Exchange.Coinbase))
        {
            _heldUpdate = payload;
            return;
        }

        var duplicate = _faults.TakeDuplicate(Exchange.Coinbase);
        Send(payload);
        if (duplicate)
        {
            Enqueue(payload);
            _faults.Count(Exchange.Coinbase, FaultKind.DuplicatedFrame);
        }
    }

    /// <summary>Any message with a sequence number; a held update follows it, now out of order. Under the gate.</summary>
    private void Send(byte[] payload)
    {
        Enqueue(payload);
        ReleaseHeldUpdate(swapped: true);
    }

    private void ReleaseHeldUpdate(bool swapped)
    {
        if (_heldUpdate is not { } held)
        {
            return;
        }

        _heldUpdate = null;
        Enqueue(held);
        if (swapped)
        {
            _faults.Count(Exchange.Coinbase, FaultKind.ReorderedFrame);
        }
    }
}
