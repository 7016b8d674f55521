using K2.Core;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Backfill;
using K2.Grains.Hosting;
using K2.Grains.Ingest;
using K2.Storage.Writers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace K2.Silo.Status;

/// <summary>
/// K2's own status for operators: the JSON at <c>/v1/status</c> (sessions, ingest, backfill, hot store) and the page at
/// <c>/</c> that polls it. The silo and its grains are the Orleans dashboard's, under <c>/dashboard/</c>.
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
        BatchedTableWriter<Trade> silverTrades, TimeProvider time)
    {
        var exchanges = new List<ExchangeSessionStatus>();
        foreach (var shard in sessions.Shards)
        {
            exchanges.Add(await grains.GetGrain<IExchangeGrain>(shard.Key).GetStatusAsync());
        }

        var activations = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        return TypedResults.Ok(new StatusReport(
            time.GetUtcNow(),
            exchanges,
            new GrainsStatus(activations.Sum(a => a.ActivationCount)),
            new HotStoreStatus(silverTrades.RowsWritten, silverTrades.BufferedRows),
            sessions.Enabled.ToDictionary(e => e.ToName(), ingest.Totals),
            sessions.Enabled.ToDictionary(e => e.ToName(), e => Backfill(backfills.For(e)))));
    }

    private static BackfillStatus Backfill(BackfillQueue queue)
    {
        var inFlight = queue.Progress.Current;
        return new BackfillStatus(queue.RepairsPending, queue.Count, inFlight?.Request.ToString(), inFlight?.Since, inFlight?.WaitingUntil, inFlight?.WaitingFor);
    }
}

internal sealed record StatusReport(
    DateTimeOffset Now, IReadOnlyList<ExchangeSessionStatus> Exchanges, GrainsStatus Grains, HotStoreStatus HotStore,
    IReadOnlyDictionary<string, IngestTotals> Ingest, IReadOnlyDictionary<string, BackfillStatus> Backfill);

/// <summary>An exchange's backfill: repairs queued or in flight, all requests queued (probes too), and the one in flight.</summary>
internal sealed record BackfillStatus(
    int RepairsPending, int Queued, string? InFlight, DateTimeOffset? InFlightSince, DateTimeOffset? WaitingUntil, string? WaitingFor);

internal sealed record GrainsStatus(int Activations);

internal sealed record HotStoreStatus(long SilverRowsWritten, long SilverRowsBuffered);
