using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace K2.Grains.Runtime;

public static class GrainServiceCollectionExtensions
{
    /// <summary>
    /// Registers grain types and, on the first call, the runtime: <see cref="IGrainFactory"/>,
    /// <see cref="IGrainRuntimeStatistics"/>, the hosted service that collects idle activations and drains them at
    /// shutdown, and <see cref="GrainRuntimeOptions"/> from <c>K2:Grains</c>. Each feature may call this for its own
    /// grains; all calls share one runtime. Needs <see cref="System.Diagnostics.Metrics.IMeterFactory"/> and logging,
    /// which every host registers.
    /// </summary>
    public static IServiceCollection AddGrains(this IServiceCollection services, Action<GrainRegistrationBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services
            .LastOrDefault(descriptor => descriptor.ServiceType == typeof(GrainRegistrationBuilder))?
            .ImplementationInstance as GrainRegistrationBuilder;
        if (builder is null)
        {
            builder = new GrainRegistrationBuilder();
            services.AddSingleton(builder);
            services.AddOptions<GrainRuntimeOptions>().BindConfiguration(GrainRuntimeOptions.Section).ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrainRuntimeOptions>, GrainRuntimeOptionsValidator>());
            services.TryAddSingleton(TimeProvider.System);
            services.AddSingleton<GrainTypeRegistry>();
            services.AddSingleton<GrainCatalog>();
            services.AddSingleton(provider => provider.GetRequiredService<GrainCatalog>().GrainFactory);
            services.AddSingleton<IGrainRuntimeStatistics, GrainRuntimeStatistics>();
            services.AddHostedService<GrainRuntime>();
        }

        configure(builder);
        return services;
    }
}
