using K2.Core.Exchanges.Binance;
using K2.Core.Exchanges.Coinbase;

namespace K2.Simulator;

/// <summary>How the simulator listens and how busy its markets are. Defaults match the real exchanges' timings.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Loopback port to listen on; 0 picks a free one (see <see cref="ExchangeSimulator.BaseAddress"/>).</summary>
    public int Port { get; set; }

    /// <summary>Seed of the market generator: the same seed and clock print the same trades.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Trades printed per second on each exchange, spread evenly over that exchange's symbols.</summary>
    public double TradesPerSecond { get; set; } = 100;

    /// <summary>Trades kept per symbol in the ground truth (and served by REST); older ones are forgotten.</summary>
    public int MaxTradesPerSymbol { get; set; } = 200_000;

    /// <summary>Start with printing paused (sessions can connect and subscribe; no trades until resumed).</summary>
    public bool StartPaused { get; set; }

    /// <summary>How often the Binance server sends a PING frame on every connection.</summary>
    public TimeSpan BinancePingInterval { get; set; } = BinanceEndpoints.ServerPingInterval;

    /// <summary>How long the Binance server waits for the PONG to a PING before it drops the connection.</summary>
    public TimeSpan BinancePongTimeout { get; set; } = BinanceEndpoints.PongTimeout;

    /// <summary>Binance closes every connection at this age (24 h; scale it down to exercise the cut in a test).</summary>
    public TimeSpan BinanceConnectionLifetime { get; set; } = BinanceEndpoints.ConnectionLifetime;

    /// <summary>After announcing <c>serverShutdown</c>, how long a Binance connection stays open before it is closed.</summary>
    public TimeSpan BinanceShutdownGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Kraken sends a heartbeat about once a second when a connection has had no other message.</summary>
    public TimeSpan KrakenHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Coinbase's heartbeats channel ticks once a second.</summary>
    public TimeSpan CoinbaseHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Coinbase's market_trades channel sends what traded in the last 250 ms as one update.</summary>
    public TimeSpan CoinbaseBatchInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Coinbase disconnects a client that has not subscribed within 5 seconds of connecting.</summary>
    public TimeSpan CoinbaseSubscribeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// What the simulated Coinbase writes as a trade's <c>side</c>: the taker's (what K2 assumes by default) or the
    /// maker's (what Coinbase's docs say). Tests run K2 under both; see docs/EXCHANGES.md, "Coinbase side semantics".
    /// </summary>
    public CoinbaseSideConvention CoinbaseSideConvention { get; set; } = CoinbaseSideConvention.Taker;
}
