using K2.Core;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Metadata;
using Microsoft.Extensions.Logging;

namespace K2.Storage.Iceberg.Offload;

/// <summary>
/// One offload of every cold table (or a chosen few): the three bronze tables in parallel, then silver, then the six
/// gold tables in parallel, so each layer's cold copy is at least as recent as the one it is derived from. Each
/// table's run is recorded in the run log and in <see cref="OffloadMetrics"/>; a table that fails is logged and recorded, and the others still run.
/// Each table's outcome is also reported to the caller's progress as soon as it is known, for a display of long runs.
/// </summary>
public sealed partial class OffloadCycle(
    TableOffloader offloader, SqlCatalog catalog, OffloadStateStore state, OffloadMetrics metrics, TimeProvider time, ILogger<OffloadCycle> logger)
{
    public async Task<IReadOnlyList<OffloadOutcome>> RunAsync(
        IReadOnlyCollection<string>? tables, IProgress<OffloadOutcome>? progress, CancellationToken cancellationToken)
    {
        await catalog.CreateTablesAsync(cancellationToken);
        await catalog.CreateNamespaceAsync(ColdTables.Namespace, cancellationToken);
        bool Chosen(ColdTable table) => tables is null || tables.Contains(table.Name);
        var layers = new[]
        {
            ColdTables.All.Where(t => t.HotTable.StartsWith("bronze_", StringComparison.Ordinal)),
            [ColdTables.SilverTrades],
            ColdTables.All.Where(t => t.HotTable == "ohlcv"),
        };

        var outcomes = new List<OffloadOutcome>();
        foreach (var layer in layers)
        {
            outcomes.AddRange(await Task.WhenAll(layer.Where(Chosen).Select(t => RunOneAsync(t, progress, cancellationToken))));
        }

        return outcomes;
    }

    private async Task<OffloadOutcome> RunOneAsync(ColdTable table, IProgress<OffloadOutcome>? progress, CancellationToken cancellationToken)
    {
        var startedAt = UnixMicros.Now(time);
        var started = time.GetTimestamp();
        OffloadOutcome outcome;
        try
        {
            outcome = new OffloadOutcome(table.Name, await offloader.OffloadAsync(table, cancellationToken), null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, e, table.Name);
            outcome = new OffloadOutcome(table.Name, null, e.Message);
        }

        var result = outcome.Result;
        metrics.Record(table.Name, result, time.GetElapsedTime(started));
        await state.RecordRunAsync(new OffloadRun(
            Guid.NewGuid(), table.Name, startedAt, UnixMicros.Now(time), result?.Rows ?? 0, result?.Bytes ?? 0, result?.Files ?? 0,
            time.GetElapsedTime(started), outcome.Error is null ? (result?.SnapshotId is null ? "empty" : "committed") : "failed", outcome.Error),
            CancellationToken.None);
        progress?.Report(outcome);
        return outcome;
    }

    [LoggerMessage(EventId = StorageEventIds.OffloadFailed, Level = LogLevel.Error, Message = "Offload of {Table} failed; the other tables continue")]
    private static partial void LogFailed(ILogger logger, Exception exception, string table);
}

/// <summary>One table's part of a cycle: its result, or the error that stopped it.</summary>
public sealed record OffloadOutcome(string Table, OffloadResult? Result, string? Error);
