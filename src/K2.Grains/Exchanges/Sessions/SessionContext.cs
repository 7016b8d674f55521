using K2.Core.Instruments;
using K2.Grains.Ingest;
using K2.Storage.Bronze;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Exchanges.Sessions;

/// <summary>
/// Tells the instruments of a session that trades may have been lost without a visible gap (a new connection, a
/// sequence gap), so each catches up from its last trade over REST.
/// </summary>
internal delegate Task PossibleLoss(string reason, CancellationToken cancellationToken);

/// <summary>
/// What every session needs from its host: where trades and bronze rows go, and the clock and logs.
/// <paramref name="Source"/> starts each connection's id (<c>binance</c>, or the shard, <c>binance/1</c>, when an
/// exchange has several), so bronze rows and log lines name the connection they came from unambiguously.
/// </summary>
internal sealed record SessionContext(
    InstrumentRegistry Registry,
    TradeRoute Route,
    PossibleLoss SignalPossibleLoss,
    BronzeWriters Bronze,
    IngestMetrics Metrics,
    TimeProvider Time,
    ILogger Logger,
    string Source);
