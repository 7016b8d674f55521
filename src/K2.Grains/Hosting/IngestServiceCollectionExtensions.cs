using K2.Grains.Abstractions;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges;
using K2.Grains.Ingest;
using K2.Grains.Instruments;
using K2.Grains.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K2.Grains.Hosting;

public static class IngestServiceCollectionExtensions
{
    /// <summary>
    /// Registers the ingest path: exchange and instrument grains, their sessions, and the service that starts them.
    /// Register the hot store first: hosted services stop in reverse order, and the writers must outlive the grains.
    /// </summary>
    public static IServiceCollection AddK2Ingest(this IServiceCollection services)
    {
        services.AddOptions<ExchangesOptions>().BindConfiguration(ExchangesOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ExchangesOptions>, ExchangesOptionsValidator>();
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<BackfillQueues>();
        services.AddSingleton<ExchangeConnectors>();
        services.AddGrains(grains => grains
            .AddGrain<IExchangeGrain, ExchangeGrain>()
            .AddGrain<IInstrumentGrain, InstrumentGrain>());
        services.AddSingleton<IngestSessions>();
        services.AddHostedService<ExchangeSessionsService>();
        return services;
    }
}
