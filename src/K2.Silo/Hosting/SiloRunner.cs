using K2.Core.Instruments;
using K2.Silo.Commands;
using K2.Simulator;
using K2.Storage.ClickHouse;
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

        // RunAsync disposes the host (and with it the embedded ClickHouse) once it has stopped.
        var app = SiloHost.Build(settings, registry, simulator);
        try
        {
            await app.RunAsync();
            return ExitCodes.Success;
        }
        catch (ClickHouseException e)
        {
            await error.WriteLineAsync($"k2: the hot store could not start: {e.Message}");
            return ExitCodes.StartFailed;
        }
        catch (OptionsValidationException e)
        {
            await error.WriteLineAsync($"k2: invalid configuration: {e.Message}");
            return ExitCodes.BadConfiguration;
        }
    }
}
