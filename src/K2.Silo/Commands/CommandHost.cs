using K2.Silo.Hosting;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg;
using Microsoft.Extensions.Options;

namespace K2.Silo.Commands;

/// <summary>
/// The host of a one-shot <c>k2</c> command: the configuration a silo would read (appsettings.json next to the binary,
/// environment variables) plus the command's overrides, the log on stderr (stdout is the command's result, for
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
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Logging.ClearProviders().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        try
        {
            builder.Services.AddConfiguredHotStore(builder.Configuration);
            if (coldTier)
            {
                builder.Services.AddColdTier();
            }

            using var host = builder.Build();
            return await work(host.Services, builder.Configuration);
        }
        catch (OptionsValidationException e)
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
