using System.Collections.Concurrent;
using K2.Core;
using K2.Core.Instruments;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.Binance;
using K2.Grains.Exchanges.Rest;
using K2.Grains.Exchanges.Sessions;
using K2.Grains.Ingest;
using K2.Storage.Bronze;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K2.Grains.Exchanges;

/// <summary>Builds each exchange's session and backfill worker from configuration; owns the REST clients.</summary>
internal sealed class ExchangeConnectors(
    IOptions<ExchangesOptions> options,
    InstrumentRegistry registry,
    BronzeWriters bronze,
    BackfillQueues backfills,
    IngestMetrics metrics,
    TimeProvider time,
    ILoggerFactory loggers) : IDisposable
{
    private static readonly TimeSpan RestTimeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<Exchange, HttpClient> _http = new();

    public IExchangeSession CreateSession(Exchange exchange, TradeRoute route, PossibleLoss signalPossibleLoss)
    {
        var context = new SessionContext(registry, route, signalPossibleLoss, bronze, metrics, time, loggers.CreateLogger($"K2.Grains.Exchanges.{exchange}Session"));
        return exchange switch
        {
            Exchange.Binance => new BinanceSession(options.Value.Binance, context),
            _ => throw new NotSupportedException($"No session for {exchange.ToName()} yet."),
        };
    }

    public BackfillWorker CreateBackfillWorker(Exchange exchange, TradeRoute route, BackfillDone done) =>
        new(backfills.For(exchange), CreateHistoryClient(exchange), route, done, bronze, metrics, loggers.CreateLogger<BackfillWorker>());

    public void Dispose()
    {
        foreach (var client in _http.Values)
        {
            client.Dispose();
        }
    }

    private ITradeHistoryClient CreateHistoryClient(Exchange exchange) => exchange switch
    {
        Exchange.Binance => new BinanceTradeHistoryClient(
            Http(exchange), options.Value.Binance, new RestRequestGate(options.Value.Binance.RestWeightPerMinute, TimeSpan.FromMinutes(1), time),
            time, loggers.CreateLogger<BinanceTradeHistoryClient>()),
        _ => throw new NotSupportedException($"No REST history for {exchange.ToName()} yet."),
    };

    private HttpClient Http(Exchange exchange) => _http.GetOrAdd(exchange, static _ => new HttpClient(new SocketsHttpHandler
    {
        // Re-resolve DNS now and then; exchanges move their API hosts behind load balancers.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = RestTimeout,
    });
}
