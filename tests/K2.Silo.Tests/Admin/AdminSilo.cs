using K2.Core.Instruments;
using K2.Silo.Hosting;
using K2.Simulator;
using K2.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Silo.Tests.Admin;

/// <summary>
/// A whole silo in this process (embedded hot store, warehouse and catalog in a temp directory, Orleans, the API with
/// one admin key), ingesting from a simulator whose clock stands 40 days in the past: it printed two seconds of
/// trades back then and prints nothing more, so everything K2 stores of them comes from a requested backfill. Binance,
/// Kraken and Coinbase are enabled; schedules are off (the tests start offloads themselves) and the offload has no safety lag.
/// An asked-for offload or maintenance can be held going (<see cref="RunHold"/>).
/// </summary>
public sealed class AdminSilo : IAsyncLifetime
{
    public const string Key = "admin-silo-key-0123456789";

    /// <summary>Whole seconds, so the tests' ISO times are exact.</summary>
    public static readonly DateTimeOffset PrintedFrom =
        DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(-40).ToUnixTimeSeconds());

    public static readonly TimeSpan PrintedFor = TimeSpan.FromSeconds(2);

    /// <summary>Below the working directory: ClickHouse's icebergLocal reads a local warehouse only there.</summary>
    private readonly TempDirectory _data = TempDirectory.BelowWorkingDirectory("k2-admin-silo");
    private WebApplication? _app;

    public static InstrumentRegistry Registry { get; } = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

    public ExchangeSimulator Simulator { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var clock = new ManualTimeProvider(PrintedFrom);
        Simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { Seed = 13, TradesPerSecond = 400 }, Registry, clock, NullLoggerFactory.Instance, CancellationToken.None);
        for (var printed = TimeSpan.Zero; printed < PrintedFor; printed += TimeSpan.FromMilliseconds(10))
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        var url = $"http://127.0.0.1:{FreePort.Next()}";
        _app = SiloHost.Build(new SiloSettings(_data.Path, url, Simulate: false, RepositoryPaths.InstrumentsFile), Registry, Simulator, new Dictionary<string, string?>
        {
            ["K2:Api:Admin:Keys:0:Name"] = "tests",
            ["K2:Api:Admin:Keys:0:Key"] = Key,
            ["K2:Schedules:Enabled"] = "false",
            ["K2:Offload:SafetyLag"] = "00:00:00",
            ["K2:Storage:Writers:FlushInterval"] = "00:00:00.020",
        }, HeldRuns.Register);
        await _app.StartAsync(CancellationToken.None);
        Http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", Key);
    }

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
