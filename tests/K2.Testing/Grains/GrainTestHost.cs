using System.Diagnostics.Metrics;
using K2.Grains.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Testing.Grains;

/// <summary>
/// A started grain runtime on a <see cref="ManualTimeProvider"/>, with captured logs and a real meter factory.
/// Disposing stops the runtime (draining every activation) and the container.
/// </summary>
public sealed class GrainTestHost : IAsyncDisposable
{
    // Only a test that failed while a grain was still blocked gets here: it must not hang the run.
    private static readonly TimeSpan DisposeDrainLimit = TimeSpan.FromSeconds(30);

    private readonly ServiceProvider _services;
    private readonly IHostedService[] _hostedServices;
    private bool _stopped;

    private GrainTestHost(ServiceProvider services, ManualTimeProvider clock, CapturingLoggerProvider logs)
    {
        _services = services;
        _hostedServices = [.. services.GetServices<IHostedService>()];
        Clock = clock;
        Logs = logs;
    }

    public IServiceProvider Services => _services;

    public IGrainFactory GrainFactory => _services.GetRequiredService<IGrainFactory>();

    public IGrainRuntimeStatistics Statistics => _services.GetRequiredService<IGrainRuntimeStatistics>();

    /// <summary>The factory of the runtime's meter: a <see cref="MeterListener"/> can tell this host's instruments apart by <c>Meter.Scope</c>.</summary>
    public IMeterFactory MeterFactory => _services.GetRequiredService<IMeterFactory>();

    public ManualTimeProvider Clock { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <param name="configureGrains">The grains to register, as in <c>AddGrains</c>.</param>
    /// <param name="configureOptions">Runtime options, applied after the (empty) configuration.</param>
    /// <param name="configureServices">Anything else the grains need, e.g. a test probe or the hot store.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<GrainTestHost> StartAsync(
        Action<GrainRegistrationBuilder> configureGrains,
        Action<GrainRuntimeOptions>? configureOptions = null,
        Action<IServiceCollection>? configureServices = null,
        CancellationToken cancellationToken = default)
    {
        var clock = new ManualTimeProvider();
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<TimeProvider>(clock);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddMetrics();
        // Before the runtime, as the silo registers the hot store: hosted services stop in reverse order, so grains
        // deactivate (and hand over their last rows) before the writers drain.
        configureServices?.Invoke(services);
        services.AddGrains(configureGrains);
        if (configureOptions is not null)
        {
            services.Configure(configureOptions);
        }
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var host = new GrainTestHost(provider, clock, logs);
        foreach (var hostedService in host._hostedServices)
        {
            await hostedService.StartAsync(cancellationToken);
        }

        return host;
    }

    /// <summary>Stops the runtime as host shutdown does. Later calls (and <see cref="DisposeAsync"/>) do nothing more.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        foreach (var hostedService in _hostedServices.Reverse())
        {
            await hostedService.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using (var drainLimit = new CancellationTokenSource(DisposeDrainLimit))
        {
            await StopAsync(drainLimit.Token);
        }

        await _services.DisposeAsync();
    }
}
