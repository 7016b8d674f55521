using K2.Core.Exchanges.Binance;

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
}
