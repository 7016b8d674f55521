using K2.Core;
using K2.Grains.Abstractions;
using K2.Grains.Configuration;
using K2.Grains.Hosting;
using K2.Grains.Ingest;
using Microsoft.AspNetCore.Http.HttpResults;

namespace K2.Api.Status;

/// <summary>
/// K2's own status for operators: the JSON at <c>/v1/status</c> (sessions, instruments, ingest, backfill, hot and cold
/// tables) and the page at <c>/</c> that polls it. The silo and its grains are the Orleans dashboard's, under <c>/dashboard/</c>.
/// Sessions and instruments come from the grains on every request; the store sections are read at most once a second
/// (<see cref="StatusSectionCache{T}"/>) and report a store that is down instead of failing the status. A silo adds
/// what it counts for itself (<see cref="SiloCounters"/>); the standalone API, a client of the cluster, serves the
/// same status without those sections and says so.
/// </summary>
public static class StatusEndpoints
{
    public const string StatusPath = "/v1/status";

    /// <summary>Why a client of the cluster leaves out the silo's own counters.</summary>
    public const string SiloCountersOmitted =
        "hot_store, ingest and backfill are counted by each silo for itself, and this process is a client of the cluster: read them from each silo's /v1/status.";

    /// <summary>The status as JSON at <c>/v1/status</c>.</summary>
    public static IEndpointRouteBuilder MapStatus(this IEndpointRouteBuilder app)
    {
        app.MapGet(StatusPath, GetStatusAsync)
            .WithName("GetStatus")
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>The status page at <c>/</c>, which polls <c>/v1/status</c> and links to the silo's Orleans dashboard.</summary>
    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => TypedResults.Content(StatusPage.Html, "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<Ok<StatusReport>> GetStatusAsync(
        IGrainFactory grains, IngestSessions sessions, ClusterActivations clusterActivations, InstrumentStatuses instruments, StoreStatusSections stores,
        IServiceProvider services, TimeProvider time, CancellationToken cancellationToken)
    {
        var counters = services.GetService<SiloCounters>();
        var hotTables = stores.HotTables.GetAsync();
        var coldTables = stores.ColdTables.GetAsync();
        var activations = clusterActivations.ReadAsync(cancellationToken);
        var shards = await Task.WhenAll(sessions.Shards.Select(async shard => (shard, await ShardStatusAsync(grains, shard, time, cancellationToken))));
        var active = await activations;
        var instrumentRows = await instruments.ReadAsync(shards, active, cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(new StatusReport(
            now,
            [.. shards.Select(s => s.Item2)],
            instrumentRows,
            new GrainsStatus(active.Count, active.Silos, active.Unknown),
            counters?.HotStore(sessions.Enabled),
            HotTables(await hotTables),
            ColdTables(await coldTables, now),
            counters?.Ingest(sessions.Enabled),
            counters?.Backfill(sessions.Enabled),
            counters is null ? SiloCountersOmitted : null));
    }

    /// <summary>
    /// The shard's session as its grain reports it; while the grain cannot answer (its silo just died and is not yet
    /// declared dead, or it is activating) the shard is reported unavailable rather than failing or holding up the status.
    /// </summary>
    private static async Task<ExchangeSessionStatus> ShardStatusAsync(IGrainFactory grains, ExchangeShard shard, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            return await grains.GetGrain<IExchangeGrain>(shard.Key).GetStatusAsync().WaitAsync(InstrumentStatuses.CallTimeout, time, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return new ExchangeSessionStatus(shard.Exchange.ToName(), false, 0, 0, 0, 0, null) { Shard = shard.Key, State = ExchangeShardStates.Unavailable };
        }
    }

    private static HotTablesStatus HotTables(StatusSection<IReadOnlyList<HotTableSize>> section) =>
        new(section.CheckedAt, section.Unavailable, section.Value ?? []);

    private static ColdTablesStatus ColdTables(StatusSection<IReadOnlyList<ColdTableStatus>> section, DateTimeOffset now) =>
        new(section.CheckedAt, section.Unavailable, [.. (section.Value ?? []).Select(t => ColdTable(t, now))]);

    private static ColdTableReport ColdTable(ColdTableStatus table, DateTimeOffset now)
    {
        var (name, location, watermark, run, maintenance) =
            (table.State.Table, table.State.MetadataLocation, table.State.Watermark, table.State.LatestRun, table.State.LatestMaintenance);
        return new ColdTableReport(
            name, location, table.Snapshot?.SnapshotId, table.Snapshot?.TotalRecords, table.Snapshot?.TotalDataFiles, table.Snapshot?.Unavailable,
            watermark is null ? null : new WatermarkReport(
                watermark.IngestTime.ToDateTimeOffset(), watermark.TieBreaker, watermark.SnapshotId, watermark.UpdatedAt.ToDateTimeOffset()),
            watermark is null ? null : Math.Round((now - watermark.IngestTime.ToDateTimeOffset()).TotalSeconds, 3),
            run is null ? null : new OffloadRunReport(
                run.RunId, run.StartedAt.ToDateTimeOffset(), run.FinishedAt.ToDateTimeOffset(), run.Outcome, run.Rows, run.Bytes, run.Files,
                (long)run.Duration.TotalMilliseconds, run.Error),
            [.. maintenance.Select(m => new MaintenanceRecordReport(m.Task, m.Outcome, m.At.ToDateTimeOffset(), m.HotCount, m.ColdCount))]);
    }
}

/// <summary>
/// K2's status. <paramref name="HotStore"/>, <paramref name="Ingest"/> and <paramref name="Backfill"/> are the answering
/// silo's own counters; where no silo answers (the standalone API) they are null and <paramref name="SiloCountersOmitted"/> says why.
/// </summary>
internal sealed record StatusReport(
    DateTimeOffset Now, IReadOnlyList<ExchangeSessionStatus> Exchanges, IReadOnlyList<InstrumentStatusRow> Instruments, GrainsStatus Grains,
    HotStoreStatus? HotStore, HotTablesStatus HotTables, ColdTablesStatus ColdTables,
    IReadOnlyDictionary<string, IngestTotals>? Ingest, IReadOnlyDictionary<string, BackfillStatus>? Backfill, string? SiloCountersOmitted);

/// <summary>An exchange's backfill: repairs queued or in flight, all requests queued (probes too), and the one in flight.</summary>
internal sealed record BackfillStatus(
    int RepairsPending, int Queued, string? InFlight, DateTimeOffset? InFlightSince, DateTimeOffset? WaitingUntil, string? WaitingFor);

/// <summary>
/// Grain activations across the cluster; null while a silo does not answer (one that died and is not yet declared dead),
/// and <paramref name="Unknown"/> says which. <paramref name="Silos"/> are the active silos as the membership view has
/// them (empty when the cluster did not answer).
/// </summary>
internal sealed record GrainsStatus(int? Activations, IReadOnlyList<string> Silos, string? Unknown);

/// <summary>
/// The answering silo's table writers: the silver writer's rows (kept as their own fields for existing readers) and
/// every writer's rows written since start and rows buffered, not yet inserted.
/// </summary>
internal sealed record HotStoreStatus(long SilverRowsWritten, long SilverRowsBuffered, IReadOnlyList<WriterStatus> Writers);

/// <summary>One table writer of the answering silo: rows inserted since start and rows accepted but not yet inserted.</summary>
internal sealed record WriterStatus(string Table, long RowsWritten, long RowsBuffered);

/// <summary>The hot tables as <c>system.parts</c> said at <paramref name="CheckedAt"/>; empty with <paramref name="Unavailable"/> set when the store did not answer.</summary>
internal sealed record HotTablesStatus(DateTimeOffset CheckedAt, string? Unavailable, IReadOnlyList<HotTableSize> Tables);

/// <summary>The cold tables as the state database said at <paramref name="CheckedAt"/>; empty with <paramref name="Unavailable"/> set when it did not answer.</summary>
internal sealed record ColdTablesStatus(DateTimeOffset CheckedAt, string? Unavailable, IReadOnlyList<ColdTableReport> Tables);

/// <summary>
/// One cold table: the catalog's current metadata file and its snapshot (records and data files from the snapshot
/// summary; <paramref name="SnapshotUnavailable"/> when the file could not be read), the watermark and how far it
/// lags now, the latest offload run and the newest maintenance record of each task that has run.
/// </summary>
internal sealed record ColdTableReport(
    string Table, string? MetadataLocation, long? SnapshotId, long? Records, long? DataFiles, string? SnapshotUnavailable,
    WatermarkReport? Watermark, double? WatermarkAgeSeconds, OffloadRunReport? LastRun, IReadOnlyList<MaintenanceRecordReport> LastMaintenance);

internal sealed record WatermarkReport(DateTimeOffset IngestTime, string TieBreaker, long SnapshotId, DateTimeOffset UpdatedAt);

internal sealed record OffloadRunReport(
    Guid RunId, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string Outcome, long Rows, long Bytes, int Files, long DurationMs, string? Error);

/// <summary>One maintenance task's newest record for a table: "ok", "failed", or for the audit "match"/"mismatch" with both counts.</summary>
internal sealed record MaintenanceRecordReport(string Task, string Outcome, DateTimeOffset At, long? HotCount, long? ColdCount);
