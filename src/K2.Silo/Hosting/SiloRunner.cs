using K2.Core.Instruments;
using K2.Silo.Cluster;
using K2.Silo.Commands;
using K2.Simulator;
using K2.Storage.ClickHouse;
using K2.Storage.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Silo.Hosting;

/// <summary>Runs the silo until Ctrl-C or SIGTERM, with the in-process exchange simulator when asked.</summary>
internal static class SiloRunner
{
    public static async Task<int> RunAsync(SiloSettings settings, TextWriter error, CancellationToken cancellationToken)
    {
        var registry = InstrumentRegistryLoader.LoadFile(InstrumentsFile.Resolve(settings.InstrumentsPath));

        using var simulatorLogging = SiloHost.CreateSimulatorLoggerFactory();
        await using var simulator = settings.Simulate
            ? await ExchangeSimulator.StartAsync(new SimulatorOptions(), registry, simulatorLogging, cancellationToken)
            : null;

        WebApplication app;
        try
        {
            app = SiloHost.Build(settings, registry, simulator);
        }
        catch (OptionsValidationException e) // the transport's name is checked while registering
        {
            await error.WriteLineAsync($"k2: invalid configuration: {e.Message}");
            return ExitCodes.BadConfiguration;
        }

        await using (app)
        {
            // Every setting is checked before anything opens, so a bad one is reported by name and nothing has to stop.
            var problems = ConfigurationProblems.Find(app.Services);
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    await error.WriteLineAsync($"k2: invalid configuration: {problem}");
                }

                return ExitCodes.BadConfiguration;
            }

            try
            {
                // The host builds its services before it starts any; a store that cannot open fails here, with nothing to stop.
                _ = app.Services.GetServices<IHostedService>();
            }
            catch (Exception e) when (StartFailure(e, settings) is { } failure)
            {
                await error.WriteLineAsync($"k2: {failure.Message}");
                return failure.ExitCode;
            }

            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (Exception e) when (StartFailure(e, settings) is { } failure)
            {
                await error.WriteLineAsync($"k2: {failure.Message}");
                // Services that did start (migrations, writers, grains, sessions) must stop before the store closes.
                await app.StopAsync(CancellationToken.None);
                return failure.ExitCode;
            }

            await app.WaitForShutdownAsync(CancellationToken.None);
            return ExitCodes.Success;
        }
    }

    private static (string Message, int ExitCode)? StartFailure(Exception e, SiloSettings settings) => e switch
    {
        ClickHouseException => ($"the hot store could not start: {e.Message}", ExitCodes.StartFailed),
        ClusterStartException => (e.Message, ExitCodes.StartFailed),
        OptionsValidationException => ($"invalid configuration: {e.Message}", ExitCodes.BadConfiguration),
        IOException when e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException =>
            ($"cannot listen on {settings.Urls}: the address is in use (another k2?). Choose another with --urls.", ExitCodes.StartFailed),
        IOException => ($"cannot listen on {settings.Urls}: {e.Message}", ExitCodes.StartFailed),
        _ => null,
    };
}
