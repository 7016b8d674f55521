using K2.Grains.Runtime;
using K2.Testing.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Grains.Tests.Runtime.TestGrains;

/// <summary>Starts a <see cref="GrainTestHost"/> with the probe grains and the given probe.</summary>
internal static class ProbeHost
{
    public static Task<GrainTestHost> StartAsync(GrainProbe probe, Action<GrainRuntimeOptions>? configureOptions = null) =>
        GrainTestHost.StartAsync(
            grains => grains
                .AddGrain<IProbeGrain, ProbeGrain>()
                .AddGrain<IKeepAliveGrain, KeepAliveGrain>(),
            configureOptions,
            services => services.AddSingleton(probe),
            TestContext.Current.CancellationToken);
}
