using System.Diagnostics.Metrics;
using K2.Core;
using K2.Core.Trades;

namespace K2.Grains.Ingest;

/// <summary>Ingest instruments (meter "K2.Ingest"), tagged by exchange and, for rejections, by reason.</summary>
public sealed class IngestMetrics
{
    public const string MeterName = "K2.Ingest";

    private readonly Counter<long> _received;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _stored;
    private readonly Counter<long> _reconnects;
    private readonly Counter<long> _gapsDetected;
    private readonly Counter<long> _gapTradesMissing;
    private readonly Counter<long> _gapsRepaired;
    private readonly Counter<long> _gapTradesAbandoned;
    private readonly Counter<long> _backfilled;

    public IngestMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _received = meter.CreateCounter<long>("k2.trades.received", "{trade}", "Trades parsed from exchange frames.");
        _rejected = meter.CreateCounter<long>("k2.trades.rejected", "{frame}", "Frames or trades rejected by parsing or validation.");
        _duplicates = meter.CreateCounter<long>("k2.trades.duplicates", "{trade}", "Trades dropped as already seen.");
        _stored = meter.CreateCounter<long>("k2.trades.normalized", "{trade}", "New trades handed to the hot store.");
        _reconnects = meter.CreateCounter<long>("k2.exchange.reconnects", "{connection}", "WebSocket connections opened after the first.");
        _gapsDetected = meter.CreateCounter<long>("k2.gaps.detected", "{gap}", "Jumps in trade ids, each a backfill.");
        _gapTradesMissing = meter.CreateCounter<long>("k2.gaps.missing_trades", "{trade}", "Trade ids missing when gaps were detected.");
        _gapsRepaired = meter.CreateCounter<long>("k2.gaps.repaired", "{gap}", "Gaps completely filled by backfill.");
        _gapTradesAbandoned = meter.CreateCounter<long>("k2.gaps.abandoned_trades", "{trade}", "Missing trade ids given up (never found on REST).");
        _backfilled = meter.CreateCounter<long>("k2.backfill.trades", "{trade}", "Trades fetched over REST (before deduplication).");
    }

    public void Received(Exchange exchange, int trades = 1) => _received.Add(trades, Tag(exchange));

    public void Rejected(Exchange exchange, TradeRejectReason reason) =>
        _rejected.Add(1, Tag(exchange), new KeyValuePair<string, object?>("reason", reason.ToName()));

    public void Duplicate(Exchange exchange) => _duplicates.Add(1, Tag(exchange));

    public void Normalized(Exchange exchange) => _stored.Add(1, Tag(exchange));

    public void Reconnected(Exchange exchange) => _reconnects.Add(1, Tag(exchange));

    public void GapDetected(Exchange exchange, long missingTrades)
    {
        _gapsDetected.Add(1, Tag(exchange));
        _gapTradesMissing.Add(missingTrades, Tag(exchange));
    }

    public void GapRepaired(Exchange exchange) => _gapsRepaired.Add(1, Tag(exchange));

    public void GapAbandoned(Exchange exchange, long trades) => _gapTradesAbandoned.Add(trades, Tag(exchange));

    public void Backfilled(Exchange exchange, int trades) => _backfilled.Add(trades, Tag(exchange));

    private static KeyValuePair<string, object?> Tag(Exchange exchange) => new("exchange", exchange.ToName());
}
