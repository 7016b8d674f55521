
namespace K2.Grains.Abstractions;

/// <summary>One exchange connection shard, keyed by exchange name (e.g. <c>binance</c>): owns the WebSocket session.</summary>
public interface IExchangeGrain : IGrainWithStringKey
{
    /// <summary>Starts the session if it is not running.</summary>
    Task StartAsync();

    /// <summary>Stops the session and waits for it to close, or until <paramref name="cancellationToken"/> gives up.</summary>
    Task StopAsync(CancellationToken cancellationToken);

    Task<ExchangeSessionStatus> GetStatusAsync();
}
