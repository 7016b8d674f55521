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

    public IngestMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _received = meter.CreateCounter<long>("k2.trades.received", "{trade}", "Trades parsed from exchange frames.");
        _rejected = meter.CreateCounter<long>("k2.trades.rejected", "{frame}", "Frames or trades rejected by parsing or validation.");
        _duplicates = meter.CreateCounter<long>("k2.trades.duplicates", "{trade}", "Trades dropped as already seen.");
        _stored = meter.CreateCounter<long>("k2.trades.normalized", "{trade}", "New trades handed to the hot store.");
        _reconnects = meter.CreateCounter<long>("k2.exchange.reconnects", "{connection}", "WebSocket connections opened after the first.");
    }

    public void Received(Exchange exchange, int trades = 1) => _received.Add(trades, Tag(exchange));

    public void Rejected(Exchange exchange, TradeRejectReason reason) =>
        _rejected.Add(1, Tag(exchange), new KeyValuePair<string, object?>("reason", reason.ToName()));

    public void Duplicate(Exchange exchange) => _duplicates.Add(1, Tag(exchange));

    public void Normalized(Exchange exchange) => _stored.Add(1, Tag(exchange));

    public void Reconnected(Exchange exchange) => _reconnects.Add(1, Tag(exchange));

    private static KeyValuePair<string, object?> Tag(Exchange exchange) => new("exchange", exchange.ToName());
}
