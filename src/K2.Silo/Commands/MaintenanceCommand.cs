using System.CommandLine;
using K2.Storage.Iceberg.Maintenance;
using K2.Storage.Iceberg.Metadata;

namespace K2.Silo.Commands;

/// <summary>
/// <c>k2 maintenance [--task compact|expire|orphans|audit] [--table T]</c>: the daily maintenance of the cold tables,
/// now, printing each table's and task's outcome as it finishes (and, on stderr, how far it is every few seconds). Exit code 1 when a task failed or the audit found a mismatch.
/// </summary>
internal static class MaintenanceCommand
{
    /// <summary>How often a running maintenance says how far it is.</summary>
    private static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(5);

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
            CommonOptions.DataOverrides(result, data),
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

        return await CommandHost.RunAsync("maintenance", overrides, coldTier: true, error, async (services, _) =>
        {
            var tables = ColdTables.All.Where(t => tableNames is null || tableNames.Contains(t.Name)).ToList();
            var chosen = tasks.Count == 0 ? Enum.GetValues<MaintenanceTask>() : [.. tasks.Distinct().Order()];
            var maintenance = services.GetRequiredService<ColdTableMaintenance>();
            using var progress = new RunProgress<MaintenanceOutcome>(
                "maintenance", tables.Count * chosen.Length, "tasks", Describe, output, error, TimeProvider.System, StatusInterval);
            var outcomes = new List<MaintenanceOutcome>();
            // One table and task at a time, in the order the whole run would take, so each outcome shows as it is known.
            foreach (var table in tables)
            {
                foreach (var task in chosen)
                {
                    var outcome = (await maintenance.RunAsync([table], [task], cancellationToken)).Outcomes.Single();
                    progress.Report(outcome);
                    outcomes.Add(outcome);
                }
            }

            var result = new MaintenanceRunResult(outcomes);
            await output.WriteLineAsync($"k2 maintenance: {result.Outcomes.Count(o => o.Succeeded)} ok, {result.Outcomes.Count(o => !o.Succeeded)} not ok.");
            return result.Succeeded ? ExitCodes.Success : ExitCodes.StartFailed;
        });
    }

    private static string Describe(MaintenanceOutcome outcome) =>
        $"{outcome.Table,-24} {ColdTableMaintenance.TaskName(outcome.Task),-8} {outcome.Outcome,-9} {outcome.Detail}";
}
