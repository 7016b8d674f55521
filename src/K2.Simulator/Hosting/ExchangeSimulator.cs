using System.Net;
using System.Text.Json;
using K2.Core.Instruments;
using K2.Simulator.Binance;
using K2.Simulator.Coinbase;
using K2.Simulator.Control;
using K2.Simulator.Faults;
using K2.Simulator.Hosting;
using K2.Simulator.Kraken;
using K2.Simulator.Market;
using K2.Simulator.WebSockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Simulator;

/// <summary>
/// Simulated exchanges on one loopback port: each speaks its exchange's real WebSocket and REST formats, prints
/// seeded trades on a timer and records them in <see cref="GroundTruth"/>. Control API under <c>/control</c>.
/// </summary>
public sealed partial class ExchangeSimulator : IAsyncDisposable
{
    /// <summary>How long stopping may wait for connections to finish before Kestrel cuts them.</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly MarketGenerator _market;
    private readonly VenueCatalog _venues;
    private readonly ILogger _logger;
    private int _disposed;

    private ExchangeSimulator(
        WebApplication app, MarketGenerator market, VenueCatalog venues, GroundTruth groundTruth, SimulatorFaults faults, Uri baseAddress, ILogger logger)
    {
        _app = app;
        _market = market;
        _venues = venues;
        _logger = logger;
        GroundTruth = groundTruth;
        Faults = faults;
        BaseAddress = baseAddress;
        BinanceWebSocketBase = new UriBuilder(baseAddress) { Scheme = "ws", Path = BinanceWebSocketEndpoints.PathPrefix }.Uri;
        BinanceRestBase = new Uri(baseAddress, BinanceWebSocketEndpoints.PathPrefix);
        CoinbaseWebSocketUri = new UriBuilder(baseAddress) { Scheme = "ws", Path = CoinbaseWebSocketEndpoints.PathPrefix }.Uri;
        CoinbaseRestBase = new Uri(baseAddress, CoinbaseWebSocketEndpoints.PathPrefix);
        KrakenWebSocketUri = new UriBuilder(baseAddress) { Scheme = "ws", Path = KrakenPaths.Prefix + KrakenPaths.WebSocket }.Uri;
        KrakenRestBase = new Uri(baseAddress, KrakenPaths.Prefix);
    }

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary><c>ws://127.0.0.1:PORT/binance</c>; a client appends <c>/stream…</c> or <c>/ws/…</c>.</summary>
    public Uri BinanceWebSocketBase { get; }

    /// <summary><c>http://127.0.0.1:PORT/binance</c>; a client appends <c>/api/v3/…</c>.</summary>
    public Uri BinanceRestBase { get; }

    /// <summary><c>ws://127.0.0.1:PORT/coinbase</c>: the Advanced Trade market-data endpoint itself.</summary>
    public Uri CoinbaseWebSocketUri { get; }

    /// <summary><c>http://127.0.0.1:PORT/coinbase</c>; a client appends <c>/api/v3/brokerage/…</c>.</summary>
    public Uri CoinbaseRestBase { get; }

    /// <summary><c>ws://127.0.0.1:PORT/kraken/v2</c>: Kraken's public WebSocket v2 itself.</summary>
    public Uri KrakenWebSocketUri { get; }

    /// <summary><c>http://127.0.0.1:PORT/kraken</c>; a client appends <c>/0/public/Trades…</c>.</summary>
    public Uri KrakenRestBase { get; }

    /// <summary>K2's configuration keys that point each exchange's WebSocket and REST clients at this simulator.</summary>
    public IReadOnlyDictionary<string, string> K2Settings => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["K2:Exchanges:Binance:WebSocketBase"] = BinanceWebSocketBase.ToString(),
        ["K2:Exchanges:Binance:RestBase"] = BinanceRestBase.ToString(),
        ["K2:Exchanges:Kraken:WebSocketUri"] = KrakenWebSocketUri.ToString(),
        ["K2:Exchanges:Kraken:RestBase"] = KrakenRestBase.ToString(),
        ["K2:Exchanges:Coinbase:WebSocketUri"] = CoinbaseWebSocketUri.ToString(),
        ["K2:Exchanges:Coinbase:RestBase"] = CoinbaseRestBase.ToString(),
    };

    /// <summary>Every trade printed so far.</summary>
    public GroundTruth GroundTruth { get; }

    /// <summary>Fault injection, and what was injected so far.</summary>
    public SimulatorFaults Faults { get; }

    /// <summary>The WebSocket sessions connected right now.</summary>
    public IReadOnlyList<SimulatedSession> Sessions => _venues.DescribeSessions();

    public static Task<ExchangeSimulator> StartAsync(
        SimulatorOptions options, InstrumentRegistry registry, ILoggerFactory? loggerFactory, CancellationToken cancellationToken) =>
        StartAsync(options, registry, TimeProvider.System, loggerFactory, cancellationToken);

    /// <summary>Starts listening and printing. Every trade time and timer follows <paramref name="timeProvider"/>.</summary>
    public static async Task<ExchangeSimulator> StartAsync(
        SimulatorOptions options, InstrumentRegistry registry, TimeProvider timeProvider, ILoggerFactory? loggerFactory,
        CancellationToken cancellationToken)
    {
        SimulatorOptionsValidator.Validate(options);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(timeProvider);
        loggerFactory ??= NullLoggerFactory.Instance;

        var groundTruth = new GroundTruth(options.MaxTradesPerSymbol);
        var faultPlan = new FaultPlan(timeProvider);
        var binance = new BinanceVenue(registry);
        var coinbase = new CoinbaseVenue(registry, faultPlan, timeProvider);
        var kraken = new KrakenVenue(registry, faultPlan, groundTruth, options, timeProvider);
        var venues = new VenueCatalog([binance, kraken, coinbase]);
        var market = new MarketGenerator(venues.Venues, registry, options, groundTruth, timeProvider, loggerFactory.CreateLogger<MarketGenerator>());

        var app = Build(options, timeProvider, loggerFactory, services => services
            .AddSingleton(groundTruth)
            .AddSingleton(binance)
            .AddSingleton(coinbase)
            .AddSingleton(kraken)
            .AddSingleton(venues)
            .AddSingleton(market)
            .AddSingleton(faultPlan)
            .AddSingleton(new SimulatorFaults(faultPlan, venues)));
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var simulator = new ExchangeSimulator(
            app, market, venues, groundTruth, app.Services.GetRequiredService<SimulatorFaults>(), ListeningAddress(app), loggerFactory.CreateLogger<ExchangeSimulator>());
        market.Start();
        LogStarted(simulator._logger, simulator.BaseAddress, options.TradesPerSecond, options.Seed);
        return simulator;
    }

    /// <summary>Stops printing trades; sessions stay connected.</summary>
    public void Pause() => _market.Pause();

    public void Resume() => _market.Resume();

    /// <summary>Stops printing, cuts every session and stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _market.Dispose();
        // Stopping the host signals ApplicationStopping, on which every session cuts its connection.
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        LogStopped(_logger, BaseAddress);
    }

    /// <summary>
    /// An empty builder, not the slim one: the simulator runs inside other hosts and must not pick up their
    /// appsettings, environment variables or command line (a <c>Kestrel:Endpoints</c> section would add listeners).
    /// </summary>
    private static WebApplication Build(
        SimulatorOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory, Action<IServiceCollection> addState)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(ExchangeSimulator).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Loopback only; HTTP/1.1 only, as the exchanges' WebSocket endpoints are, so every WebSocket is an
            // HTTP/1.1 upgrade whose frames the simulator can observe.
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Services
            .AddSingleton(loggerFactory)
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
            .AddSingleton(timeProvider)
            .AddSingleton(options)
            .AddSingleton<IHostLifetime, EmbeddedHostLifetime>()
            .AddRoutingCore()
            .Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout)
            .ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        addState(builder.Services);

        var app = builder.Build();
        app.Use(ControlFrameObservingUpgradeFeature.InstallAsync);
        app.UseWebSockets();
        app.MapBinanceWebSocket();
        app.MapBinanceRest();
        app.MapCoinbaseWebSocket();
        app.MapCoinbaseRest();
        app.MapKrakenWebSocket();
        app.MapKrakenRest();
        app.MapControlEndpoints();
        return app;
    }

    private static Uri ListeningAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.Single());
    }

    [LoggerMessage(EventId = SimulatorEventIds.Started, Level = LogLevel.Information,
        Message = "Exchange simulator listening on {BaseAddress} ({TradesPerSecond} trades/s per exchange, seed {Seed})")]
    private static partial void LogStarted(ILogger logger, Uri baseAddress, double tradesPerSecond, int seed);

    [LoggerMessage(EventId = SimulatorEventIds.Stopped, Level = LogLevel.Information, Message = "Exchange simulator on {BaseAddress} stopped")]
    private static partial void LogStopped(ILogger logger, Uri baseAddress);
}
