using System.Collections.Concurrent;
using K2.Core;
using K2.Core.Instruments;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Core.Exchanges.Binance;
using K2.Grains.Exchanges.Binance;
using K2.Grains.Exchanges.Coinbase;
using K2.Grains.Exchanges.Kraken;
using K2.Grains.Exchanges.Rest;
using K2.Grains.Exchanges.Sessions;
using K2.Grains.Hosting;
using K2.Grains.Ingest;
using K2.Storage.Bronze;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K2.Grains.Exchanges;

/// <summary>Builds each shard's session and each exchange's backfill worker from configuration; owns the REST clients.</summary>
internal sealed class ExchangeConnectors(
    IOptions<ExchangesOptions> options,
    BronzeWriters bronze,
    BackfillQueues backfills,
    IngestMetrics metrics,
    TimeProvider time,
    ILoggerFactory loggers,
    RequestedBackfillStore? requestedBackfills = null) : IExchangeConnectors, IDisposable
{
    private static readonly TimeSpan RestTimeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<Exchange, HttpClient> _http = new();
    private readonly ConcurrentDictionary<Exchange, RestPager> _pagers = new();

    public IExchangeSession CreateSession(ExchangeShard shard, TradeRoute route, PossibleLoss signalPossibleLoss)
    {
        // The session sees only its shard's instruments: it subscribes to them, and parses frames for them.
        var context = new SessionContext(
            new InstrumentRegistry(shard.Instruments), route, signalPossibleLoss, bronze, metrics, time, loggers.CreateLogger(SessionCategory(shard)),
            shard.ShardCount > 1 ? shard.Key : shard.Exchange.ToName());
        return shard.Exchange switch
        {
            Exchange.Binance => new BinanceSession(options.Value.Binance, context),
            Exchange.Kraken => new KrakenSession(options.Value.Kraken, context),
            Exchange.Coinbase => new CoinbaseSession(options.Value.Coinbase, context),
            _ => throw new NotSupportedException($"No session for {shard.Exchange.ToName()}."),
        };
    }

    public Func<CancellationToken, Task> CreateBackfill(Exchange exchange, TradeRoute route, BackfillRefine refine, BackfillDone done) =>
        new BackfillWorker(
            backfills.For(exchange), CreateHistoryClient(exchange), route,
            requestedBackfills is null ? NoRequestedBackfills : requestedBackfills.StoreAsync,
            requestedBackfills is null ? static (_, _) => Task.CompletedTask : requestedBackfills.CompleteAsync,
            refine, done, bronze, metrics, loggers.CreateLogger<BackfillWorker>()).RunAsync;

    /// <summary>A host without <see cref="IngestServiceCollectionExtensions.AddRequestedBackfills"/> (no cold tier to read) takes no requested ranges.</summary>
    private static Task NoRequestedBackfills(BackfillRequest request, IReadOnlyList<Core.Trades.Trade> trades, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"{request} cannot be stored: this host does not store requested backfills.");

    public void Dispose()
    {
        foreach (var client in _http.Values)
        {
            client.Dispose();
        }
    }

    /// <summary>
    /// <c>K2.Grains.Exchanges.BinanceSession</c>; with several shards <c>….BinanceSession.Shard1</c>, so each line says
    /// whose connection it is and the exchange's prefix still filters them all.
    /// </summary>
    private static string SessionCategory(ExchangeShard shard) =>
        $"K2.Grains.Exchanges.{shard.Exchange}Session{(shard.ShardCount > 1 ? $".Shard{shard.Index}" : "")}";

    private ITradeHistoryClient CreateHistoryClient(Exchange exchange) => exchange switch
    {
        Exchange.Binance => new BinanceTradeHistoryClient(Pager(exchange), options.Value.Binance, time),
        Exchange.Kraken => new KrakenTradeHistoryClient(Pager(exchange), options.Value.Kraken, time),
        Exchange.Coinbase => new CoinbaseTradeHistoryClient(Pager(exchange), options.Value.Coinbase, time, loggers.CreateLogger<CoinbaseTradeHistoryClient>()),
        _ => throw new NotSupportedException($"No REST history for {exchange.ToName()}."),
    };

    /// <summary>One pager (and so one request budget and pause) per exchange for the life of the process.</summary>
    private RestPager Pager(Exchange exchange) => _pagers.GetOrAdd(exchange, e =>
    {
        var gate = e switch
        {
            Exchange.Binance => new RestRequestGate(options.Value.Binance.RestWeightPerMinute, BinanceEndpoints.RequestWeightInterval, time),
            Exchange.Kraken => new RestRequestGate(options.Value.Kraken.RestRequestsPerSecond, TimeSpan.FromSeconds(1), time),
            _ => new RestRequestGate(options.Value.Coinbase.RestRequestsPerSecond, TimeSpan.FromSeconds(1), time),
        };
        return new RestPager(e, Http(e), gate, time, loggers.CreateLogger<RestPager>(), backfills.For(e).Progress);
    });

    private HttpClient Http(Exchange exchange) => _http.GetOrAdd(exchange, static _ => new HttpClient(new SocketsHttpHandler
    {
        // Re-resolve DNS now and then; exchanges move their API hosts behind load balancers.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = RestTimeout,
    });
}
