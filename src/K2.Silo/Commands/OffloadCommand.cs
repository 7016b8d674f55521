using System.CommandLine;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Iceberg.Offload;
using K2.Storage.ObjectStores;
using K2.Storage.Schema;

namespace K2.Silo.Commands;

/// <summary>
/// <c>k2 offload [--table T] [--now]</c>: one offload cycle from the hot store into the Iceberg warehouse, outside the
/// 15-minute schedule, printing each table's outcome as it finishes (and, on stderr, how far it is every few seconds). With <c>--now</c> the safety lag is dropped, so everything in the
/// hot store goes (right for a stopped K2, whose inserts have all landed). A running K2 holding the data directory is
/// refused, since one process owns an embedded store.
/// </summary>
internal static class OffloadCommand
{
    /// <summary>How often a running offload says how far it is.</summary>
    private static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(5);

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
            var overrides = CommonOptions.DataOverrides(result, data);
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

        return await CommandHost.RunAsync("offload", overrides, coldTier: true, error, async (services, _) =>
        {
            await services.GetRequiredService<HotStoreMigrator>().MigrateAsync(cancellationToken);
            var warehouse = services.GetRequiredService<IObjectStore>();
            var count = tables?.Distinct().Count() ?? ColdTables.All.Count;
            using var progress = new RunProgress<OffloadOutcome>("offload", count, "tables", Describe, output, error, TimeProvider.System, StatusInterval);
            var outcomes = await services.GetRequiredService<OffloadCycle>().RunAsync(tables, progress, cancellationToken);
            var failed = outcomes.Count(o => o.Error is not null);
            await output.WriteLineAsync($"k2 offload: {outcomes.Count - failed} table(s) done, {failed} failed; tables under {warehouse.IcebergLocationOf(ColdTables.Namespace)}.");
            return failed == 0 ? ExitCodes.Success : ExitCodes.StartFailed;
        });
    }

    private static string Describe(OffloadOutcome outcome) => outcome switch
    {
        { Error: { } message } => $"{outcome.Table,-24} FAILED: {message}",
        { Result: { SnapshotId: null } } => $"{outcome.Table,-24} nothing new",
        { Result: { } r } => $"{outcome.Table,-24} {r.Rows,12:N0} rows {r.Files,4} files {r.Bytes,14:N0} bytes {r.Duration.TotalSeconds,7:0.00} s",
        _ => outcome.Table,
    };
}
