using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using K2.Core;
using K2.Core.Trades;

namespace K2.Grains.Ingest;

/// <summary>
/// Ingest instruments (meter "K2.Ingest"), tagged by exchange and, for rejections, by reason; plus running totals per
/// exchange for the dashboard.
/// </summary>
public sealed class IngestMetrics
{
    public const string MeterName = "K2.Ingest";

    private readonly Counter<long> _received;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _stored;
    private readonly Counter<long> _reconnects;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _gapsDetected;
    private readonly Counter<long> _gapTradesMissing;
    private readonly Counter<long> _gapsRepaired;
    private readonly Counter<long> _gapTradesAbandoned;
    private readonly Counter<long> _gapsOverdue;
    private readonly Counter<long> _storeBusy;
    private readonly ConcurrentDictionary<string, OpenGaps> _openGaps = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Counter<long> _backfilled;
    private readonly Counter<long> _candlesWritten;
    private readonly Counter<long> _candleBucketsRecomputed;
    private readonly Counter<long> _candleBucketsOwed;
    private readonly Counts[] _totals = [.. Enumerable.Range(0, ExchangeNames.All.Max(e => (int)e) + 1).Select(_ => new Counts())];

    public IngestMetrics(IMeterFactory meterFactory, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        var meter = meterFactory.Create(MeterName);
        _received = meter.CreateCounter<long>("k2.trades.received", "{trade}", "Valid trades parsed from exchange frames.");
        _rejected = meter.CreateCounter<long>("k2.trades.rejected", "{trade}", "Trades (or whole frames) rejected by parsing or validation.");
        _duplicates = meter.CreateCounter<long>("k2.trades.duplicates", "{trade}", "Trades dropped as already passed on.");
        _stored = meter.CreateCounter<long>("k2.trades.normalized", "{trade}", "New trades handed to the hot store.");
        _reconnects = meter.CreateCounter<long>("k2.exchange.reconnects", "{connection}", "WebSocket connections opened after the first.");
        _connections = meter.CreateUpDownCounter<long>("k2.exchange.connections", "{connection}", "WebSocket connections to the exchange open now.");
        _gapsDetected = meter.CreateCounter<long>("k2.gaps.detected", "{gap}", "Jumps in trade ids, each a backfill.");
        _gapTradesMissing = meter.CreateCounter<long>("k2.gaps.missing_trades", "{trade}", "Trade ids missing when gaps were detected.");
        _gapsRepaired = meter.CreateCounter<long>("k2.gaps.repaired", "{gap}", "Gaps completely filled by backfill.");
        _gapTradesAbandoned = meter.CreateCounter<long>("k2.gaps.abandoned_trades", "{trade}", "Missing trade ids given up (never returned by REST).");
        _gapsOverdue = meter.CreateCounter<long>("k2.gaps.overdue", "{gap}", "Gaps still open when they reached K2:Ingest:GapOverdueAfter.");
        _storeBusy = meter.CreateCounter<long>(
            "k2.ingest.store_busy", "{call}", "Calls in which an instrument waited K2:Ingest:StoreWaitLimit for the hot store and handed trades back to their sender.");
        meter.CreateObservableGauge("k2.gaps.open", () => PerExchange(g => g.Sum(i => (long)i.Count)), "{gap}", "Gaps open now.");
        meter.CreateObservableGauge("k2.gaps.open_missing_trades", () => PerExchange(g => g.Sum(i => i.Missing)), "{trade}", "Trade ids missing in the gaps open now.");
        meter.CreateObservableGauge("k2.gaps.oldest_age", () => PerExchange(g => g.Min(i => i.OldestDetectedAt) is { } oldest ? (UnixMicros.Now(_time) - oldest).TotalSeconds : 0), "s",
            "Age of the oldest gap open now (0 when none is).");
        _backfilled = meter.CreateCounter<long>("k2.backfill.trades", "{trade}", "Trades fetched over REST (before deduplication).");
        _candlesWritten = meter.CreateCounter<long>("k2.candles.written", "{candle}", "Candle versions handed to the hot store (forming and corrected).");
        _candleBucketsRecomputed = meter.CreateCounter<long>(
            "k2.candles.recomputed", "{bucket}", "Candle buckets recomputed from stored trades before a late trade or a restart could continue them.");
        _candleBucketsOwed = meter.CreateCounter<long>(
            "k2.candles.owed", "{bucket}", "Candle buckets the hot store did not give in time: their trades went on, and the buckets are rewritten from the store later.");
    }

    public IngestTotals Totals(Exchange exchange)
    {
        var t = _totals[(int)exchange];
        var open = _openGaps.Values.Where(g => g.Exchange == exchange).ToList();
        return new IngestTotals(
            Interlocked.Read(ref t.Received), Interlocked.Read(ref t.Rejected), Interlocked.Read(ref t.Stored), Interlocked.Read(ref t.Duplicates),
            Interlocked.Read(ref t.GapsDetected), Interlocked.Read(ref t.GapsRepaired), Interlocked.Read(ref t.Backfilled), Interlocked.Read(ref t.Lost),
            Interlocked.Read(ref t.GapsOverdue), open.Sum(g => g.Count), open.Sum(g => g.Missing), open.Min(g => g.OldestDetectedAt)?.ToDateTimeOffset());
    }

    /// <summary>An instrument's open gaps now: how many, how many ids they miss, and when the oldest was found.</summary>
    public void GapsOpen(K2.Core.Instruments.Instrument instrument, int count, long missing, UnixMicros? oldestDetectedAt)
    {
        if (count == 0)
        {
            _openGaps.TryRemove(instrument.Key, out _);
        }
        else
        {
            _openGaps[instrument.Key] = new OpenGaps(instrument.Exchange, count, missing, oldestDetectedAt);
        }
    }

    /// <summary>A gap reached the overdue bound (counted once per gap, not per report).</summary>
    public void GapOverdue(Exchange exchange)
    {
        _gapsOverdue.Add(1, Tag(exchange));
        Interlocked.Increment(ref _totals[(int)exchange].GapsOverdue);
    }

    /// <summary>An instrument gave up waiting for room in the hot store and handed trades back.</summary>
    public void StoreBusy(Exchange exchange) => _storeBusy.Add(1, Tag(exchange));

    public void Received(Exchange exchange, int trades = 1)
    {
        _received.Add(trades, Tag(exchange));
        Interlocked.Add(ref _totals[(int)exchange].Received, trades);
    }

    public void Rejected(Exchange exchange, TradeRejectReason reason)
    {
        _rejected.Add(1, Tag(exchange), new KeyValuePair<string, object?>("reason", reason.ToName()));
        Interlocked.Increment(ref _totals[(int)exchange].Rejected);
    }

    public void Duplicate(Exchange exchange)
    {
        _duplicates.Add(1, Tag(exchange));
        Interlocked.Increment(ref _totals[(int)exchange].Duplicates);
    }

    public void Stored(Exchange exchange)
    {
        _stored.Add(1, Tag(exchange));
        Interlocked.Increment(ref _totals[(int)exchange].Stored);
    }

    public void CandlesWritten(Exchange exchange, int candles) => _candlesWritten.Add(candles, Tag(exchange));

    public void CandleBucketRecomputed(Exchange exchange) => _candleBucketsRecomputed.Add(1, Tag(exchange));

    public void CandleBucketsOwed(Exchange exchange, int buckets) => _candleBucketsOwed.Add(buckets, Tag(exchange));

    public void Reconnected(Exchange exchange) => _reconnects.Add(1, Tag(exchange));

    public void ConnectionOpened(Exchange exchange) => _connections.Add(1, Tag(exchange));

    public void ConnectionClosed(Exchange exchange) => _connections.Add(-1, Tag(exchange));

    public void GapDetected(Exchange exchange, long missingTrades)
    {
        _gapsDetected.Add(1, Tag(exchange));
        _gapTradesMissing.Add(missingTrades, Tag(exchange));
        Interlocked.Increment(ref _totals[(int)exchange].GapsDetected);
    }

    public void GapRepaired(Exchange exchange)
    {
        _gapsRepaired.Add(1, Tag(exchange));
        Interlocked.Increment(ref _totals[(int)exchange].GapsRepaired);
    }

    public void GapAbandoned(Exchange exchange, long trades)
    {
        _gapTradesAbandoned.Add(trades, Tag(exchange));
        Interlocked.Add(ref _totals[(int)exchange].Lost, trades);
    }

    public void Backfilled(Exchange exchange, int trades)
    {
        _backfilled.Add(trades, Tag(exchange));
        Interlocked.Add(ref _totals[(int)exchange].Backfilled, trades);
    }

    private static KeyValuePair<string, object?> Tag(Exchange exchange) => new("exchange", exchange.ToName());

    private IEnumerable<Measurement<T>> PerExchange<T>(Func<IEnumerable<OpenGaps>, T> measure)
        where T : struct
    {
        var open = _openGaps.Values.ToList();
        return ExchangeNames.All.Select(e => new Measurement<T>(measure(open.Where(g => g.Exchange == e)), Tag(e)));
    }

    private sealed record OpenGaps(Exchange Exchange, int Count, long Missing, UnixMicros? OldestDetectedAt);

    private sealed class Counts
    {
        public long Received;
        public long Rejected;
        public long Stored;
        public long Duplicates;
        public long GapsDetected;
        public long GapsRepaired;
        public long Backfilled;
        public long Lost;
        public long GapsOverdue;
    }
}
