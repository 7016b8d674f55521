using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace K2.Testing.Grains;

/// <summary>
/// One Orleans silo in Orleans' in-process test cluster (<c>InProcessTestCluster</c>), with hosted services in the
/// order <c>k2 run</c> has them: what the test registers before the silo starts before it and stops after it, what it
/// registers after the silo the reverse. A <see cref="ManualTimeProvider"/> drives K2's code and grain timers, and
/// logs are captured. Orleans' own clocks (messaging, membership, directory) stay real, so call timeouts still work
/// while a test moves time. Calls go through the silo's own grain factory, as K2's do. Disposing stops the silo
/// (every activation deactivates).
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

    private readonly InProcessTestCluster _cluster;
    private readonly InProcessSiloHandle _silo;
    private bool _stopped;

    private GrainTestHost(InProcessTestCluster cluster, ManualTimeProvider clock, CapturingLoggerProvider logs)
    {
        _cluster = cluster;
        _silo = cluster.Silos[0];
        Clock = clock;
        Logs = logs;
    }

    /// <summary>The silo's services (still readable after <see cref="StopAsync"/>).</summary>
    public IServiceProvider Services => _silo.ServiceProvider;

    public IGrainFactory GrainFactory => Services.GetRequiredService<IGrainFactory>();

    public ManualTimeProvider Clock { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <param name="configureServices">Anything the grains need, e.g. a test probe or the hot store (registered before the silo).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="configureAfterSilo">What <c>k2 run</c> registers after the silo (the ingest path and its keeper): started after it, stopped before it.</param>
    /// <param name="clockStart">Where the manual clock starts (the silo starts at that time); its default start otherwise.</param>
    public static async Task<GrainTestHost> StartAsync(
        Action<IServiceCollection>? configureServices = null,
        CancellationToken cancellationToken = default,
        Action<IServiceCollection>? configureAfterSilo = null,
        DateTimeOffset? clockStart = null)
    {
        var clock = clockStart is { } start ? new ManualTimeProvider(start) : new ManualTimeProvider();
        var logs = new CapturingLoggerProvider();
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.Options.InitializeClientOnDeploy = false; // calls go through the silo's factory
        builder.ConfigureSiloHost((_, host) =>
        {
            // Before the silo's own registrations: Orleans adds its clocks only where none is registered yet.
            host.Services.AddSingleton<TimeProvider>(clock);
            foreach (var name in RealClocks)
            {
                host.Services.AddKeyedSingleton(name, TimeProvider.System);
            }

            host.Logging.SetMinimumLevel(LogLevel.Trace).AddFilter("Orleans", LogLevel.Warning).AddProvider(logs);
            configureServices?.Invoke(host.Services);
        });
        if (configureAfterSilo is not null)
        {
            builder.ConfigureSilo((_, silo) => configureAfterSilo(silo.Services));
        }

        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync(cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return new GrainTestHost(cluster, clock, logs);
    }

    /// <summary>Stops the silo as host shutdown does. Later calls (and <see cref="DisposeAsync"/>) do nothing more.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _cluster.StopSiloAsync(_silo, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        using (var drainLimit = new CancellationTokenSource(DisposeDrainLimit))
        {
            await StopAsync(drainLimit.Token);
        }

        await _cluster.DisposeAsync();
    }
}
