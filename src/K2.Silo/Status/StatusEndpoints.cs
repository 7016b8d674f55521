using K2.Core;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Hosting;
using K2.Grains.Ingest;
using K2.Storage.Writers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace K2.Silo.Status;

/// <summary>
/// K2's own status for operators: the JSON at <c>/v1/status</c> (sessions, instruments, ingest, backfill, hot and cold
/// tables) and the page at <c>/</c> that polls it. The silo and its grains are the Orleans dashboard's, under <c>/dashboard/</c>.
/// Sessions and instruments come from the grains on every request; the store sections are read at most once a second
/// (<see cref="StatusSectionCache{T}"/>) and report a store that is down instead of failing the status.
/// </summary>
internal static class StatusEndpoints
{
    public const string StatusPath = "/v1/status";

    public static IEndpointRouteBuilder MapStatus(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => TypedResults.Content(StatusPage.Html, "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        app.MapGet(StatusPath, GetStatusAsync)
            .WithName("GetStatus")
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<Ok<StatusReport>> GetStatusAsync(
        IGrainFactory grains, IngestSessions sessions, IngestMetrics ingest, BackfillQueues backfills,
        BatchedTableWriter<Trade> silverTrades, InstrumentStatuses instruments, StoreStatusSections stores, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var hotTables = stores.HotTables.GetAsync();
        var coldTables = stores.ColdTables.GetAsync();
        var activations = ActivationsAsync(grains, time, cancellationToken);
        var shards = await Task.WhenAll(sessions.Shards.Select(async shard => (shard, await ShardStatusAsync(grains, shard, time, cancellationToken))));
        var instrumentRows = await instruments.ReadAsync(shards, cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(new StatusReport(
            now,
            [.. shards.Select(s => s.Item2)],
            instrumentRows,
            new GrainsStatus(await activations),
            new HotStoreStatus(silverTrades.RowsWritten, silverTrades.BufferedRows),
            HotTables(await hotTables),
            ColdTables(await coldTables, now),
            sessions.Enabled.ToDictionary(e => e.ToName(), ingest.Totals),
            sessions.Enabled.ToDictionary(e => e.ToName(), e => Backfill(backfills.For(e)))));
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
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            return new ExchangeSessionStatus(shard.Exchange.ToName(), false, 0, 0, 0, 0, null) { Shard = shard.Key, State = ExchangeShardStates.Unavailable };
        }
    }

    /// <summary>Activations across the cluster; null while a silo that left is not yet declared dead (every silo is asked).</summary>
    private static async Task<int?> ActivationsAsync(IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics(cancellationToken)
                .WaitAsync(InstrumentStatuses.CallTimeout, time, cancellationToken);
            return statistics.Sum(a => a.ActivationCount);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            return null;
        }
    }

    private static BackfillStatus Backfill(BackfillQueue queue)
    {
        var inFlight = queue.Progress.Current;
        return new BackfillStatus(queue.RepairsPending, queue.Count, inFlight?.Request.ToString(), inFlight?.Since, inFlight?.WaitingUntil, inFlight?.WaitingFor);
    }

    private static HotTablesStatus HotTables(StatusSection<IReadOnlyList<HotTableSize>> section) =>
        new(section.CheckedAt, section.Unavailable, section.Value ?? []);

    private static ColdTablesStatus ColdTables(StatusSection<IReadOnlyList<ColdTableStatus>> section, DateTimeOffset now) =>
        new(section.CheckedAt, section.Unavailable, [.. (section.Value ?? []).Select(t => ColdTable(t, now))]);

    private static ColdTableReport ColdTable(ColdTableStatus table, DateTimeOffset now)
    {
        var (name, location, watermark, run) = (table.State.Table, table.State.MetadataLocation, table.State.Watermark, table.State.LatestRun);
        return new ColdTableReport(
            name, location, table.Snapshot?.SnapshotId, table.Snapshot?.TotalRecords, table.Snapshot?.TotalDataFiles, table.Snapshot?.Unavailable,
            watermark is null ? null : new WatermarkReport(
                watermark.IngestTime.ToDateTimeOffset(), watermark.TieBreaker, watermark.SnapshotId, watermark.UpdatedAt.ToDateTimeOffset()),
            watermark is null ? null : Math.Round((now - watermark.IngestTime.ToDateTimeOffset()).TotalSeconds, 3),
            run is null ? null : new OffloadRunReport(
                run.RunId, run.StartedAt.ToDateTimeOffset(), run.FinishedAt.ToDateTimeOffset(), run.Outcome, run.Rows, run.Bytes, run.Files,
                (long)run.Duration.TotalMilliseconds, run.Error));
    }
}

internal sealed record StatusReport(
    DateTimeOffset Now, IReadOnlyList<ExchangeSessionStatus> Exchanges, IReadOnlyList<InstrumentStatusRow> Instruments, GrainsStatus Grains,
    HotStoreStatus HotStore, HotTablesStatus HotTables, ColdTablesStatus ColdTables,
    IReadOnlyDictionary<string, IngestTotals> Ingest, IReadOnlyDictionary<string, BackfillStatus> Backfill);

/// <summary>An exchange's backfill: repairs queued or in flight, all requests queued (probes too), and the one in flight.</summary>
internal sealed record BackfillStatus(
    int RepairsPending, int Queued, string? InFlight, DateTimeOffset? InFlightSince, DateTimeOffset? WaitingUntil, string? WaitingFor);

/// <summary>Grain activations across the cluster; null while a silo that left is not yet declared dead.</summary>
internal sealed record GrainsStatus(int? Activations);

internal sealed record HotStoreStatus(long SilverRowsWritten, long SilverRowsBuffered);

/// <summary>The hot tables as <c>system.parts</c> said at <paramref name="CheckedAt"/>; empty with <paramref name="Unavailable"/> set when the store did not answer.</summary>
internal sealed record HotTablesStatus(DateTimeOffset CheckedAt, string? Unavailable, IReadOnlyList<HotTableSize> Tables);

/// <summary>The cold tables as the state database said at <paramref name="CheckedAt"/>; empty with <paramref name="Unavailable"/> set when it did not answer.</summary>
internal sealed record ColdTablesStatus(DateTimeOffset CheckedAt, string? Unavailable, IReadOnlyList<ColdTableReport> Tables);

/// <summary>
/// One cold table: the catalog's current metadata file and its snapshot (records and data files from the snapshot
/// summary; <paramref name="SnapshotUnavailable"/> when the file could not be read), the watermark and how far it
/// lags now, and the latest offload run.
/// </summary>
internal sealed record ColdTableReport(
    string Table, string? MetadataLocation, long? SnapshotId, long? Records, long? DataFiles, string? SnapshotUnavailable,
    WatermarkReport? Watermark, double? WatermarkAgeSeconds, OffloadRunReport? LastRun);

internal sealed record WatermarkReport(DateTimeOffset IngestTime, string TieBreaker, long SnapshotId, DateTimeOffset UpdatedAt);

internal sealed record OffloadRunReport(
    Guid RunId, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string Outcome, long Rows, long Bytes, int Files, long DurationMs, string? Error);
