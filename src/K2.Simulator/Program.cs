using System.Runtime.InteropServices;
using K2.Core.Instruments;
using K2.Simulator;

// Standalone: dotnet run --project src/K2.Simulator -- --port 9100 [--seed 42] [--trades-per-second 100]
//   [--paused true] [--instruments config/instruments.yaml]
var switches = new Dictionary<string, string>
{
    ["--port"] = nameof(SimulatorOptions.Port),
    ["--seed"] = nameof(SimulatorOptions.Seed),
    ["--trades-per-second"] = nameof(SimulatorOptions.TradesPerSecond),
    ["--paused"] = nameof(SimulatorOptions.StartPaused),
    ["--instruments"] = "Instruments",
};
var arguments = new ConfigurationBuilder().AddCommandLine(args, switches).Build();
var options = arguments.Get<SimulatorOptions>() ?? new SimulatorOptions();

InstrumentRegistry registry;
try
{
    registry = InstrumentRegistryLoader.LoadFile(arguments["Instruments"] ?? DefaultInstrumentsFile());
}
catch (InstrumentRegistryException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var loggerFactory = LoggerFactory.Create(logging => logging
    .AddSimpleConsole(console => console.SingleLine = true)
    .AddFilter("Microsoft", LogLevel.Warning));
var stopped = new TaskCompletionSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

await using (await ExchangeSimulator.StartAsync(options, registry, loggerFactory, CancellationToken.None))
{
    await stopped.Task;
}

return 0;

// `dotnet run --project` starts in the project directory, so look for the repository's registry upwards.
static string DefaultInstrumentsFile()
{
    var relative = Path.Combine("config", "instruments.yaml");
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, relative)))
        {
            return Path.Combine(dir.FullName, relative);
        }
    }

    return relative;
}

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stopped.TrySetResult();
}
