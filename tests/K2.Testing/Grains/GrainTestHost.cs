using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Testing.Grains;

/// <summary>
/// One Orleans silo in a plain host, as <c>k2 run</c> hosts it (hosted services in the same order: what the test
/// registers before the silo stops after it), on a <see cref="ManualTimeProvider"/> that drives K2's code and grain
/// timers, with captured logs. Orleans' own clocks (messaging, membership, directory) stay real, so call timeouts
/// still work while a test moves time. Disposing stops the silo (every activation deactivates) and the host.
/// </summary>
public sealed class GrainTestHost : IAsyncDisposable
{
    // Only a test that failed while a grain was still blocked gets here: it must not hang the run.
    private static readonly TimeSpan DisposeDrainLimit = TimeSpan.FromSeconds(30);

    private static readonly string[] RealClocks =
    [
        TimeProviderNames.Messaging, TimeProviderNames.Membership, TimeProviderNames.SystemTimers,
        TimeProviderNames.ActivationManagement, TimeProviderNames.GrainDirectory,
    ];

    private readonly IHost _host;
    private bool _stopped;

    private GrainTestHost(IHost host, ManualTimeProvider clock, CapturingLoggerProvider logs)
    {
        _host = host;
        Clock = clock;
        Logs = logs;
    }

    public IServiceProvider Services => _host.Services;

    public IGrainFactory GrainFactory => _host.Services.GetRequiredService<IGrainFactory>();

    public ManualTimeProvider Clock { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <param name="configureServices">Anything the grains need, e.g. a test probe or the hot store (registered before the silo).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="clockStart">Where the manual clock starts (the silo starts at that time); its default start otherwise.</param>
    public static async Task<GrainTestHost> StartAsync(
        Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default, DateTimeOffset? clockStart = null)
    {
        var clock = clockStart is { } start ? new ManualTimeProvider(start) : new ManualTimeProvider();
        var logs = new CapturingLoggerProvider();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<TimeProvider>(clock);
        foreach (var name in RealClocks)
        {
            builder.Services.AddKeyedSingleton(name, TimeProvider.System);
        }

        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddFilter("Orleans", LogLevel.Warning).AddProvider(logs);
        configureServices?.Invoke(builder.Services);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort: FreePort.Next(), gatewayPort: 0));
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new GrainTestHost(host, clock, logs);
    }

    /// <summary>Stops the silo as host shutdown does. Later calls (and <see cref="DisposeAsync"/>) do nothing more.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _host.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        using (var drainLimit = new CancellationTokenSource(DisposeDrainLimit))
        {
            await StopAsync(drainLimit.Token);
        }

        _host.Dispose();
    }
}
