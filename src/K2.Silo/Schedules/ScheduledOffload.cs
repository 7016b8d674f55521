using K2.Grains.Schedules;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Offload;

namespace K2.Silo.Schedules;

/// <summary>
/// The offload's work, scheduled or asked for: one cycle over every cold table. Failures of single tables are in the
/// run log (and, asked for, in the report), whose latest start tells the schedule which due time last ran. The
/// offload grain runs one at a time.
/// </summary>
internal sealed class ScheduledOffload(OffloadCycle cycle, SqlCatalog catalog, OffloadStateStore state, TimeProvider time) : IOffloadRun
{
    public Task RunAsync(ScheduleFiring firing, CancellationToken cancellationToken) => cycle.RunAsync(null, null, cancellationToken);

    public async Task<OffloadReport> RunNowAsync(CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        var outcomes = await cycle.RunAsync(null, null, cancellationToken);
        var tables = outcomes.Select(o => new TableOffloadReport(
            o.Table, o.Result?.Rows ?? 0, o.Result?.Files ?? 0, o.Result?.Bytes ?? 0, o.Result?.SnapshotId,
            o.Result?.Watermark is { Value: > long.MinValue } watermark ? watermark.ToDateTimeOffset() : null, o.Error)).ToList();
        return new OffloadReport(startedAt, time.GetElapsedTime(started).TotalSeconds, tables.All(t => t.Error is null), tables);
    }

    public async Task<DateTimeOffset?> LastRunAtAsync(CancellationToken cancellationToken)
    {
        // Before the first offload of a new state database the run log does not exist yet.
        await catalog.CreateTablesAsync(cancellationToken);
        return (await state.LatestRunStartAsync(cancellationToken))?.ToDateTimeOffset();
    }
}
