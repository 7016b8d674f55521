using System.CommandLine;
using K2.Silo.Hosting;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg;
using K2.Storage.Iceberg.Maintenance;
using K2.Storage.Iceberg.Metadata;
using Microsoft.Extensions.Options;

namespace K2.Silo.Commands;

/// <summary>
/// <c>k2 maintenance [--task compact|expire|orphans|audit] [--table T]</c>: the daily maintenance of the cold tables,
/// now, printing each table's and task's outcome. Exit code 1 when a task failed or the audit found a mismatch.
/// </summary>
internal static class MaintenanceCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var task = new Option<string[]>("--task")
        {
            Description = "Run only these tasks (repeatable): compact, expire, orphans, audit. Default: all four, in that order.",
            AllowMultipleArgumentsPerToken = true,
        };
        task.AcceptOnlyFromAmong([.. Enum.GetValues<MaintenanceTask>().Select(ColdTableMaintenance.TaskName)]);
        var table = new Option<string[]>("--table")
        {
            Description = $"Only these tables (repeatable): {string.Join(", ", ColdTables.All.Select(t => t.Name))}.",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("maintenance", "Compact, expire, remove orphans and audit the cold tables once, and exit.") { data, task, table };
        command.SetAction((result, cancellationToken) => RunAsync(
            SiloHost.DataDirectoryOverrides(result.GetRequiredValue(data).FullName),
            [.. (result.GetValue(task) ?? []).Select(name => Enum.GetValues<MaintenanceTask>().First(t => ColdTableMaintenance.TaskName(t) == name))],
            result.GetValue(table) is { Length: > 0 } tables ? tables : null,
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(
        IReadOnlyDictionary<string, string?> overrides, IReadOnlyCollection<MaintenanceTask> tasks, IReadOnlyCollection<string>? tableNames,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var unknown = tableNames?.Where(t => ColdTables.All.All(c => c.Name != t)).ToList() ?? [];
        if (unknown.Count > 0)
        {
            await error.WriteLineAsync($"k2 maintenance: unknown table(s) {string.Join(", ", unknown)}; known: {string.Join(", ", ColdTables.All.Select(t => t.Name))}.");
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
            var tables = ColdTables.All.Where(t => tableNames is null || tableNames.Contains(t.Name)).ToList();
            var result = await host.Services.GetRequiredService<ColdTableMaintenance>().RunAsync(tables, tasks, cancellationToken);
            foreach (var outcome in result.Outcomes)
            {
                await output.WriteLineAsync($"{outcome.Table,-24} {ColdTableMaintenance.TaskName(outcome.Task),-8} {outcome.Outcome,-9} {outcome.Detail}");
            }

            await output.WriteLineAsync($"k2 maintenance: {result.Outcomes.Count(o => o.Succeeded)} ok, {result.Outcomes.Count(o => !o.Succeeded)} not ok.");
            return result.Succeeded ? ExitCodes.Success : ExitCodes.StartFailed;
        }
        catch (OptionsValidationException e)
        {
            await error.WriteLineAsync($"k2 maintenance: invalid configuration: {e.Message}");
            return ExitCodes.BadConfiguration;
        }
        catch (ClickHouseException e)
        {
            await error.WriteLineAsync($"k2 maintenance: the hot store could not be opened: {e.Message}");
            return ExitCodes.StartFailed;
        }
    }
}
