using System.CommandLine;
using K2.Silo.Hosting;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Iceberg.Offload;
using Microsoft.Extensions.Options;

namespace K2.Silo.Commands;

/// <summary>
/// <c>k2 offload [--table T] [--now]</c>: one offload cycle from the hot store into the Iceberg warehouse, outside the
/// 15-minute schedule, printing each table's outcome. With <c>--now</c> the safety lag is dropped, so everything in the
/// hot store goes (right for a stopped K2, whose inserts have all landed). A running K2 holding the data directory is
/// refused, since one process owns an embedded store.
/// </summary>
internal static class OffloadCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var table = new Option<string[]>("--table")
        {
            Description = $"Offload only these tables (repeatable): {string.Join(", ", ColdTables.All.Select(t => t.Name))}.",
            AllowMultipleArgumentsPerToken = true,
        };
        var now = new Option<bool>("--now") { Description = "Offload up to this moment, without the safety lag for inserts in flight." };
        var command = new Command("offload", "Offload the hot store's new rows into the Iceberg warehouse once, and exit.") { data, table, now };
        command.SetAction((result, cancellationToken) =>
        {
            var overrides = SiloHost.DataDirectoryOverrides(result.GetRequiredValue(data).FullName);
            if (result.GetValue(now))
            {
                overrides["K2:Offload:SafetyLag"] = "00:00:00";
            }

            return RunAsync(overrides, result.GetValue(table) is { Length: > 0 } tables ? tables : null,
                result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(
        IReadOnlyDictionary<string, string?> overrides, IReadOnlyCollection<string>? tables, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var unknown = tables?.Where(t => ColdTables.All.All(c => c.Name != t)).ToList() ?? [];
        if (unknown.Count > 0)
        {
            await error.WriteLineAsync($"k2 offload: unknown table(s) {string.Join(", ", unknown)}; known: {string.Join(", ", ColdTables.All.Select(t => t.Name))}.");
            return ExitCodes.BadConfiguration;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Logging.ClearProviders().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        try
        {
            builder.Services.AddConfiguredHotStore(builder.Configuration);
            builder.Services.AddColdTier();
            using var host = builder.Build();
            await host.Services.GetRequiredService<K2.Storage.Schema.HotStoreMigrator>().MigrateAsync(cancellationToken);
            var outcomes = await host.Services.GetRequiredService<OffloadCycle>().RunAsync(tables, cancellationToken);
            foreach (var outcome in outcomes)
            {
                await output.WriteLineAsync(outcome switch
                {
                    { Error: { } message } => $"{outcome.Table,-24} FAILED: {message}",
                    { Result: { SnapshotId: null } } => $"{outcome.Table,-24} nothing new",
                    { Result: { } r } => $"{outcome.Table,-24} {r.Rows,12:N0} rows {r.Files,4} files {r.Bytes,14:N0} bytes {r.Duration.TotalSeconds,7:0.00} s",
                    _ => outcome.Table,
                });
            }

            var failed = outcomes.Count(o => o.Error is not null);
            await output.WriteLineAsync($"k2 offload: {outcomes.Count - failed} table(s) done, {failed} failed; warehouse {overrides["K2:Warehouse:Path"]}.");
            return failed == 0 ? ExitCodes.Success : ExitCodes.StartFailed;
        }
        catch (OptionsValidationException e)
        {
            await error.WriteLineAsync($"k2 offload: invalid configuration: {e.Message}");
            return ExitCodes.BadConfiguration;
        }
        catch (ClickHouseException e)
        {
            await error.WriteLineAsync($"k2 offload: the hot store could not be read: {e.Message}");
            return ExitCodes.StartFailed;
        }
    }
}
