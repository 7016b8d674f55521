namespace K2.Simulator.Hosting;

/// <summary>Rejects options the simulator cannot honour, naming the option and the value at fault.</summary>
internal static class SimulatorOptionsValidator
{
    private const int MaxPort = 65_535;

    public static void Validate(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 0 or > MaxPort)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, $"{nameof(SimulatorOptions.Port)} must be 0 (any free port) to {MaxPort}.");
        }

        if (!double.IsFinite(options.TradesPerSecond) || options.TradesPerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.TradesPerSecond, $"{nameof(SimulatorOptions.TradesPerSecond)} must be a finite number >= 0.");
        }

        if (options.MaxTradesPerSymbol < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxTradesPerSymbol, $"{nameof(SimulatorOptions.MaxTradesPerSymbol)} must be at least 1.");
        }

        if (options.BinancePingInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BinancePingInterval, $"{nameof(SimulatorOptions.BinancePingInterval)} must be positive.");
        }

        foreach (var (name, value) in new[]
        {
            (nameof(SimulatorOptions.BinanceConnectionLifetime), options.BinanceConnectionLifetime),
            (nameof(SimulatorOptions.BinanceShutdownGrace), options.BinanceShutdownGrace),
            (nameof(SimulatorOptions.KrakenHeartbeatInterval), options.KrakenHeartbeatInterval),
            (nameof(SimulatorOptions.CoinbaseHeartbeatInterval), options.CoinbaseHeartbeatInterval),
            (nameof(SimulatorOptions.CoinbaseBatchInterval), options.CoinbaseBatchInterval),
            (nameof(SimulatorOptions.CoinbaseSubscribeTimeout), options.CoinbaseSubscribeTimeout),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(options), value, $"{name} must be positive.");
            }
        }

        if (options.BinancePongTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BinancePongTimeout, $"{nameof(SimulatorOptions.BinancePongTimeout)} must be positive.");
        }
    }
}
