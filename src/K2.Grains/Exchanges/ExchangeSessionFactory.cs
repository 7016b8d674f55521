using K2.Core;
using K2.Core.Instruments;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.Binance;
using K2.Grains.Ingest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K2.Grains.Exchanges;

/// <summary>Builds the session for an exchange from configuration and the instrument registry.</summary>
internal sealed class ExchangeSessionFactory(
    IOptions<ExchangesOptions> options, InstrumentRegistry registry, IngestMetrics metrics, TimeProvider time, ILoggerFactory loggers)
{
    public IExchangeSession Create(Exchange exchange, TradeRoute route) => exchange switch
    {
        Exchange.Binance => new BinanceSession(
            options.Value.Binance, registry, route, metrics, time, loggers.CreateLogger<BinanceSession>()),
        _ => throw new NotSupportedException($"No session for {exchange.ToName()} yet."),
    };
}
