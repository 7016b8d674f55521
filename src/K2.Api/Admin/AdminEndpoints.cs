using K2.Api.Parameters;
using K2.Core;
using K2.Core.Instruments;
using K2.Grains.Abstractions;
using K2.Grains.Backfill;
using K2.Grains.Hosting;
using K2.Grains.Schedules;
using K2.Storage.Iceberg.Maintenance;
using Microsoft.AspNetCore.Http.HttpResults;

namespace K2.Api.Admin;

/// <summary>
/// The admin actions under <c>/v1/admin</c>, each needing an admin API key (<see cref="AdminKeysEndpointExtensions.RequireAdminKey"/>):
/// an offload or a maintenance now, run by its schedule's grain (<see cref="IOffloadGrain"/>, <see cref="IMaintenanceGrain"/>)
/// and answered when it has finished; that grain is one in the cluster, so a run of the same kind already going
/// anywhere, scheduled or not, makes it a 409 (one at a time). And a REST backfill of an instrument's time range,
/// queued on the exchange's backfill worker through the shard's grain (202). The same endpoints serve in a silo and in
/// the standalone API when it is a client of the cluster. A run goes on to its end if the client hangs up; only the
/// shutdown of the silo the grain runs on stops it.
/// </summary>
public static partial class AdminEndpoints
{
    /// <summary>A full backfill queue drains at the exchange's REST pace: a minute frees many places.</summary>
    private const int QueueFullRetryAfterSeconds = 60;

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1/admin").WithTags("Admin").RequireAdminKey();
        admin.MapPost("/offload", OffloadAsync)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("RunOffload")
            .WithSummary("Offloads every cold table's new rows now, as the 15-minute schedule does, and reports each table's commit.");
        admin.MapPost("/maintenance", MaintenanceAsync)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("RunMaintenance")
            .WithSummary("Compacts, expires snapshots, removes orphans and audits every cold table now, as the daily schedule does.");
        admin.MapPost("/backfill", Backfill)
            .WithQueryRules<BackfillQuery>()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithName("QueueBackfill")
            .WithSummary("Queues a REST backfill of one instrument's trades in [from, to), however old; trades already stored are not stored again.")
            .WithDescription(
                "The exchange's backfill worker fetches the range after the repairs queued before it. Fetched trades that neither " +
                "tier holds go to the hot tier and from there, with the next offload, to cold (the hot tier keeps them 30 days after " +
                "their ingest, so trades older than its 30 days are not lost to its TTL). Once the range is fetched, the candles of " +
                "every bucket it touched are recomputed from the trades of both tiers, in every timeframe.");
        return app;
    }

    private static async Task<Results<Ok<OffloadReport>, ProblemHttpResult>> OffloadAsync(HttpContext http, IGrainFactory grains, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(AdminEndpoints));
        if (await grains.GetGrain<IOffloadGrain>(0).RunNowAsync() is not { } report)
        {
            return Busy(logger, ScheduleNames.Offload);
        }

        LogOffloadRan(logger, KeyName(http), report.Tables.Sum(t => t.Rows), report.Tables.Count, report.Tables.Count(t => t.Error is not null));
        return TypedResults.Ok(report);
    }

    private static async Task<Results<Ok<MaintenanceReport>, ProblemHttpResult>> MaintenanceAsync(HttpContext http, IGrainFactory grains, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(AdminEndpoints));
        if (await grains.GetGrain<IMaintenanceGrain>(0).RunNowAsync() is not { } report)
        {
            return Busy(logger, ScheduleNames.Maintenance);
        }

        LogMaintenanceRan(logger, KeyName(http), report.Tasks.Count, report.Tasks.Count(t => t.Outcome != ColdTableMaintenance.Ok));
        return TypedResults.Ok(report);
    }

    /// <summary>
    /// Queued through the exchange grain of the instrument's shard, in the queue of the silo it runs on (the one its
    /// backfill worker serves), wherever this request arrived.
    /// </summary>
    private static async Task<Results<Accepted<BackfillQueued>, ValidationProblem, ProblemHttpResult>> Backfill(
        [AsParameters] BackfillQuery query, HttpContext http, InstrumentRegistry registry, IngestSessions sessions, IGrainFactory grains,
        TimeProvider time, ILoggerFactory loggers)
    {
        // The query rules have checked presence and form; what remains needs the registry, the clock or both bounds.
        var errors = BackfillRangeChecks.Check(query, registry, sessions.Enabled, time.GetUtcNow(), out var instrument);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The backfill request is not valid.");
        }

        var (from, to, target) = (query.From!.Value, query.To!.Value, instrument!);
        var shard = sessions.ShardOf(target) ?? throw new InvalidOperationException($"{target.Key} is in no shard of an enabled exchange.");
        var request = new BackfillRequest(
            target, BackfillReason.Requested, null, null, UnixMicros.FromDateTimeOffset(from), UnixMicros.FromDateTimeOffset(to));
        var receipt = await grains.GetGrain<IExchangeGrain>(shard.Key).QueueBackfillAsync(request, TimeSpan.Zero, http.RequestAborted);
        var ahead = receipt.Ahead;
        if (!receipt.Queued)
        {
            http.Response.Headers.RetryAfter = QueueFullRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(
                title: "The backfill queue is full.",
                detail: $"{target.Exchange.ToName()}'s backfill queue holds {ahead} requests; retry later.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        LogBackfillQueued(loggers.CreateLogger(typeof(AdminEndpoints)), KeyName(http), request.ToString(), ahead);
        return TypedResults.Accepted((string?)null, new BackfillQueued(target.Exchange.ToName(), target.Symbol, from, to, ahead));
    }

    private static ProblemHttpResult Busy(ILogger logger, string schedule)
    {
        LogBusy(logger, schedule);
        return TypedResults.Problem(
            title: $"An {schedule} is already running.",
            detail: $"One {schedule} runs at a time (scheduled or asked for); ask again when it has finished.",
            statusCode: StatusCodes.Status409Conflict);
    }

    private static string KeyName(HttpContext http) => http.AdminKeyName() ?? "?";

    [LoggerMessage(EventId = ApiEventIds.AdminOffloadRan, Level = LogLevel.Information,
        Message = "Admin offload (key {KeyName}): {Rows} rows over {Tables} tables, {Failed} failed")]
    private static partial void LogOffloadRan(ILogger logger, string keyName, long rows, int tables, int failed);

    [LoggerMessage(EventId = ApiEventIds.AdminMaintenanceRan, Level = LogLevel.Information,
        Message = "Admin maintenance (key {KeyName}): {Tasks} tasks, {NotOk} not ok")]
    private static partial void LogMaintenanceRan(ILogger logger, string keyName, int tasks, int notOk);

    [LoggerMessage(EventId = ApiEventIds.AdminRunRefusedBusy, Level = LogLevel.Information, Message = "Admin {Schedule} refused: one is already running")]
    private static partial void LogBusy(ILogger logger, string schedule);

    [LoggerMessage(EventId = ApiEventIds.AdminBackfillQueued, Level = LogLevel.Information,
        Message = "Admin backfill (key {KeyName}) queued: {Request}, {Ahead} request(s) ahead")]
    private static partial void LogBackfillQueued(ILogger logger, string keyName, string request, int ahead);
}
