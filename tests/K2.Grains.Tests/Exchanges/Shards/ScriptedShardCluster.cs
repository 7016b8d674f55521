using System.Collections.Concurrent;
using K2.Core.Instruments;
using K2.Grains.Configuration;
using K2.Grains.Exchanges;
using K2.Grains.Hosting;
using K2.Testing;
using K2.Testing.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace K2.Grains.Tests.Exchanges.Shards;

/// <summary>
/// Silos in one process, each with K2's ingest and keeper, Binance alone enabled, and its own scripted sessions (by silo
/// name); every silo's log is captured. Silos started later join with the same setup.
/// </summary>
internal sealed class ScriptedShardCluster
{
    public ConcurrentDictionary<string, ScriptedConnectors> Connectors { get; } = new(StringComparer.Ordinal);

    public CapturingLoggerProvider Logs { get; } = new();

    public InProcessTestCluster Build(short silos, int binanceShards, Action<ISiloBuilder>? configure = null)
    {
        var registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((options, host) => host.Logging.AddProvider(Logs));
        builder.ConfigureSilo((options, silo) =>
        {
            configure?.Invoke(silo);
            silo.Services
                .AddSingleton(registry)
                .Configure<ExchangesOptions>(o =>
                {
                    o.Binance.Shards = binanceShards;
                    o.Kraken.Enabled = false;
                    o.Coinbase.Enabled = false;
                })
                .AddK2Ingest()
                .AddSingleton<IExchangeConnectors>(Connectors.GetOrAdd(options.SiloName, _ => new ScriptedConnectors(new ConcurrentQueue<string>())));
        });
        return builder.Build();
    }

    /// <summary>Whether <paramref name="silo"/> runs a session of <paramref name="shard"/>.</summary>
    public bool Runs(InProcessSiloHandle silo, string shard) =>
        Connectors.TryGetValue(silo.Name, out var connectors) && connectors.SessionsOf(shard).Any(s => s.IsRunning);

    /// <summary>The messages logged with <paramref name="eventId"/>, on every silo.</summary>
    public string[] Logged(int eventId) => [.. Logs.Entries.Where(e => e.EventId.Id == eventId).Select(e => e.Message)];
}
