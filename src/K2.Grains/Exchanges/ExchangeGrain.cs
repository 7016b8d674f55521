using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Hosting;
using K2.Grains.Instruments;
using K2.Grains.Placement;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K2.Grains.Exchanges;

/// <summary>
/// Owns one exchange shard's session, and a share in its exchange's backfill worker on this silo. Both are long-lived
/// I/O loops running beside the grain's turns, not messages; the grain starts and stops them and connects them to the
/// instrument grains. The loops run outside the activation, so they call grains through the silo's factory, and never
/// this grain (it may be awaiting them). Instrument grains, on any silo, queue their backfills through it in the queue
/// of its silo, the one its worker serves. Kept active while K2 runs: the silo's keeper pings it every second, which
/// activates it again wherever it was lost.
/// </summary>
[KeepAlive]
[ExchangeShardPlacement]
internal sealed partial class ExchangeGrain(
    IExchangeConnectors connectors, IngestSessions configured, SharedBackfillWorkers backfills, BackfillQueues queues, RunningShards running,
    IGrainFactory grains,
    ILocalSiloDetails silo, IOptions<IngestOptions> options, ILogger<ExchangeGrain> logger)
    : Grain, IExchangeGrain, IGrainMigrationParticipant
{
    /// <summary>What a handed-over activation carries to its new silo: that it came by handover, not by a loss.</summary>
    private const string HandedOverKey = "k2.handed-over";

    private ExchangeShard? _shard;
    private IExchangeSession? _session;
    private SharedBackfillWorkers.BackfillLease? _backfill;
    private IDisposable? _reconcile;
    private CancellationTokenSource? _stop;
    private Task _run = Task.CompletedTask;
    private bool _arrivedByHandOver;

    public async Task<ShardStart> EnsureRunningAsync()
    {
        if (_stop is not null && !_run.IsCompleted)
        {
            return ShardStart.AlreadyRunning;
        }

        if (_stop is not null)
        {
            // The session ended although nobody stopped it (its loop only ends on stop otherwise; the failure was
            // logged): start a fresh one.
            await StopAsync(CancellationToken.None);
            _session = null;
        }

        var key = this.GetPrimaryKeyString();
        var shard = _shard ??= configured.Shard(key) ?? throw new InvalidOperationException($"'{key}' is not a configured exchange shard.");
        var session = _session ??= connectors.CreateSession(shard, RouteAsync, SignalPossibleLossAsync);
        _backfill = backfills.Join(shard.Exchange, RouteAsync, StillMissingAsync, BackfillDoneAsync);
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _run = Task.Run(() => session.RunAsync(token), CancellationToken.None);
        running.Started(key);
        if (options.Value.ReconcileInterval > TimeSpan.Zero)
        {
            var every = options.Value.ReconcileInterval;
            _reconcile = this.RegisterGrainTimer(ct => SignalPossibleLossAsync("periodic reconciliation", ct), every, every);
        }

        // The session catches what it can; should it still end on its own, say so at once: the keeper's next ping starts it again.
        _ = _run.ContinueWith(
            t => LogSessionEnded(logger, t.Exception, key), token, TaskContinuationOptions.NotOnCanceled, TaskScheduler.Default);
        LogStarted(logger, key, silo.SiloAddress.ToString(), shard.Instruments.Count);
        var handedOver = _arrivedByHandOver;
        _arrivedByHandOver = false;
        return handedOver ? ShardStart.StartedAfterHandOver : ShardStart.Started;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null)
        {
            return;
        }

        var key = this.GetPrimaryKeyString();
        _reconcile?.Dispose();
        _reconcile = null;
        await _stop.CancelAsync();
        try
        {
            await _run.WaitAsync(cancellationToken);
        }
        catch (Exception) when (_run.IsFaulted)
        {
            // Logged when it happened.
        }

        // Only once the session has ended: given up on, it is still closing, and the next ping finishes this stop.
        running.Stopped(key);
        _stop.Dispose();
        _stop = null;

        // After the session: the backfill it may have queued last is still fetched if another shard keeps the worker.
        if (_backfill is { } backfill)
        {
            _backfill = null;
            await backfill.LeaveAsync(cancellationToken);
        }

        LogStopped(logger, key);
    }

    public async Task HandOverAsync(string assignedSilo, CancellationToken cancellationToken)
    {
        await StopAsync(cancellationToken);
        // Migration, not a plain deactivation: placement chooses the new silo and the directory is updated with the
        // move, so a ping routed by another silo's cached directory entry cannot recreate the grain here meanwhile.
        MigrateOnIdle();
        LogHandedOver(logger, this.GetPrimaryKeyString(), assignedSilo);
    }

    public void OnDehydrate(IDehydrationContext migrationContext) => migrationContext.TryAddValue(HandedOverKey, true);

    public void OnRehydrate(IRehydrationContext migrationContext) =>
        _arrivedByHandOver = migrationContext.TryGetValue(HandedOverKey, out bool handedOver) && handedOver;

    public Task<ExchangeSessionStatus> GetStatusAsync()
    {
        var key = this.GetPrimaryKeyString();
        var exchange = ExchangeShard.TryParseExchange(key, out var parsed) ? parsed.ToName() : key;
        var status = _session?.GetStatus() ?? new ExchangeSessionStatus(exchange, false, 0, 0, 0, 0, null);
        return Task.FromResult(status with
        {
            Shard = key,
            State = _stop is not null && !_run.IsCompleted ? ExchangeShardStates.Running : ExchangeShardStates.Stopped,
            Silo = silo.SiloAddress.ToString(),
        });
    }

    public Task<BackfillReceipt> QueueBackfillAsync(BackfillRequest request, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var queue = Queue();
        if (request.Instrument.Exchange != queue.Exchange)
        {
            throw new ArgumentException($"{request} is not for {queue.Exchange.ToName()}.", nameof(request));
        }

        var ahead = queue.Count;
        return Task.FromResult(new BackfillReceipt(queue.Id, queue.TryEnqueue(request, delay), ahead));
    }

    public Task<Guid> GetBackfillQueueIdAsync(CancellationToken cancellationToken) => Task.FromResult(Queue().Id);

    public Task<string?> DescribeRepairAsync(Instrument instrument, long fromId, long toId, CancellationToken cancellationToken) =>
        Task.FromResult(Queue().DescribeRepair(instrument, fromId, toId));

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => StopAsync(cancellationToken);

    /// <summary>This silo's queue of the shard's exchange (named by the key, so no session needs to run).</summary>
    private BackfillQueue Queue()
    {
        var key = this.GetPrimaryKeyString();
        return ExchangeShard.TryParseExchange(key, out var exchange)
            ? queues.For(exchange)
            : throw new InvalidOperationException($"'{key}' names no exchange.");
    }

    private Task RouteAsync(Instrument instrument, IReadOnlyList<Trade> trades, CancellationToken cancellationToken) =>
        TradeHandover.SendAsync(grains.GetGrain<IInstrumentGrain>(instrument.Key), trades, cancellationToken);

    /// <summary>Every instrument of the shard catches up; this also activates (and so resumes) quiet ones.</summary>
    private async Task SignalPossibleLossAsync(string reason, CancellationToken cancellationToken)
    {
        foreach (var instrument in _shard!.Instruments)
        {
            await grains.GetGrain<IInstrumentGrain>(instrument.Key).OnPossibleLossAsync(reason, cancellationToken);
        }
    }

    private Task BackfillDoneAsync(BackfillRequest request, bool succeeded, CancellationToken cancellationToken) =>
        grains.GetGrain<IInstrumentGrain>(request.Instrument.Key).OnBackfillDoneAsync(request, succeeded, cancellationToken);

    private Task<BackfillRequest?> StillMissingAsync(BackfillRequest request, CancellationToken cancellationToken) =>
        grains.GetGrain<IInstrumentGrain>(request.Instrument.Key).GetStillMissingAsync(request);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeShardStarted, Level = LogLevel.Information, Message = "Exchange shard {Shard} started its session on silo {Silo} ({Instruments} instruments)")]
    private static partial void LogStarted(ILogger logger, string shard, string silo, int instruments);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeShardStopped, Level = LogLevel.Information, Message = "Exchange shard {Shard} stopped its session")]
    private static partial void LogStopped(ILogger logger, string shard);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeShardHandedOver, Level = LogLevel.Information, Message = "Exchange shard {Shard} handed over; it belongs on silo {Silo} now")]
    private static partial void LogHandedOver(ILogger logger, string shard, string silo);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeShardSessionEnded, Level = LogLevel.Critical, Message = "The session of exchange shard {Shard} ended on its own; the keeper starts it again")]
    private static partial void LogSessionEnded(ILogger logger, Exception? exception, string shard);
}
