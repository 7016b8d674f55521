using K2.Silo.Hosting;
using K2.Storage.ClickHouse;
using K2.Storage.Hosting;
using K2.Storage.Iceberg;
using Microsoft.Extensions.Options;

namespace K2.Silo.Commands;

/// <summary>
/// The host of a one-shot <c>k2</c> command: the configuration a silo would read (<see cref="SiloConfiguration"/>, with the
/// command's own settings as the command-line layer), the log on stderr (stdout is the command's result, for
/// scripts), the hot store (and the cold tier when asked for), and the exit codes for a bad configuration or a store
/// that cannot be opened (e.g. an embedded one a running K2 holds).
/// </summary>
internal static class CommandHost
{
    public static async Task<int> RunAsync(
        string command, IReadOnlyDictionary<string, string?> overrides, bool coldTier, TextWriter error,
        Func<IServiceProvider, IConfiguration, Task<int>> work)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        SiloConfiguration.AddLayers(builder.Configuration, overrides);
        builder.Logging.ClearProviders().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        try
        {
            builder.Services.AddConfiguredHotStore(builder.Configuration);
            if (coldTier)
            {
                builder.Services.AddColdTier();
            }

            using var host = builder.Build();
            var problems = ConfigurationProblems.Find(host.Services);
            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"k2 {command}: invalid configuration: {problem}");
            }

            return problems.Count > 0 ? ExitCodes.BadConfiguration : await work(host.Services, builder.Configuration);
        }
        catch (OptionsValidationException e) // the transport's name is checked while registering
        {
            await error.WriteLineAsync($"k2 {command}: invalid configuration: {e.Message}");
            return ExitCodes.BadConfiguration;
        }
        catch (ClickHouseException e)
        {
            await error.WriteLineAsync($"k2 {command}: the hot store failed: {e.Message}");
            return ExitCodes.StartFailed;
        }
    }
}
