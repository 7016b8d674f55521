using K2.Core;
using K2.Core.Instruments;
using K2.Silo.Hosting;
using K2.Simulator;
using K2.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Silo.Tests.Metrics;

/// <summary>
/// A whole silo in this process (embedded hot store in a temp directory, Orleans, the API), streaming Binance alone from a
/// simulator whose clock the fixture moves: once the session has subscribed to every Binance symbol, the simulator
/// prints <see cref="PrintedFor"/> of trades and stops, so every count K2 exports is the ground truth's. Schedules are
/// off; <c>/metrics</c> collects on every scrape.
/// </summary>
public sealed class MetricsSilo : IAsyncLifetime
{
    public static readonly TimeSpan PrintedFor = TimeSpan.FromSeconds(1);

    private readonly TempDirectory _data = TempDirectory.BelowWorkingDirectory("k2-metrics-silo");
    private WebApplication? _app;

    public static InstrumentRegistry Registry { get; } = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

    public ExchangeSimulator Simulator { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The Binance trades the simulator printed: all it will ever print.</summary>
    public int Printed { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        Simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { Seed = 15, TradesPerSecond = 200 }, Registry, clock, NullLoggerFactory.Instance, CancellationToken.None);
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        _app = SiloHost.Build(new SiloSettings(_data.Path, url, Simulate: false, RepositoryPaths.InstrumentsFile), Registry, Simulator, new Dictionary<string, string?>
        {
            ["K2:Exchanges:Kraken:Enabled"] = "false",
            ["K2:Exchanges:Coinbase:Enabled"] = "false",
            ["K2:Schedules:Enabled"] = "false",
            ["K2:Storage:Writers:FlushInterval"] = "00:00:00.020",
            ["K2:Metrics:ScrapeCacheDuration"] = "00:00:00",
        });
        await _app.StartAsync(CancellationToken.None);
        Http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };

        var symbols = Registry.ForExchange(Exchange.Binance).Count;
        await Eventually.TrueAsync(() => Simulator.Sessions.Where(s => s.Exchange == Exchange.Binance).Sum(s => s.Streams.Count) >= symbols,
            TimeSpan.FromSeconds(30), "the Binance session did not subscribe to every symbol", CancellationToken.None);
        if (Simulator.GroundTruth.Count != 0)
        {
            throw new InvalidOperationException("The simulator printed before the session subscribed: the counts would not be the ground truth's.");
        }

        for (var printed = TimeSpan.Zero; printed < PrintedFor; printed += TimeSpan.FromMilliseconds(10))
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        Printed = Simulator.GroundTruth.All.Count(t => t.Exchange == Exchange.Binance);
    }

    /// <summary>GET /metrics as <c>promtool</c> reads it: the text format (no Accept header).</summary>
    public Task<string> ScrapeAsync(CancellationToken cancellationToken) => Http.GetStringAsync("/metrics", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        if (Simulator is not null)
        {
            await Simulator.DisposeAsync();
        }

        _data.Dispose();
    }
}
