using K2.Core;
using K2.Grains.Exchanges;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Backfill;

/// <summary>
/// One backfill worker per exchange on this silo, shared by the exchange's shards running here: the REST limits are
/// per IP and the queue is the exchange's, so one loop spends the whole budget however many shards there are. The
/// worker runs while at least one of the exchange's shards has joined; a worker started again after the last shard
/// left waits until the previous one has stopped, so two never take from the queue at once.
/// </summary>
internal sealed partial class SharedBackfillWorkers(IExchangeConnectors connectors, ILogger<SharedBackfillWorkers> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Exchange, Worker> _running = [];
    private readonly Dictionary<Exchange, Task> _lastRun = [];

    /// <summary>
    /// Runs the exchange's worker if it is not running yet, over the first joiner's delegates: they reach the instrument
    /// grains through the silo's grain factory and keep no state of the shard that made them, so any shard's serve.
    /// </summary>
    public BackfillLease Join(Exchange exchange, TradeRoute route, BackfillRefine refine, BackfillDone done)
    {
        lock (_gate)
        {
            if (!_running.TryGetValue(exchange, out var worker))
            {
                var previous = _lastRun.GetValueOrDefault(exchange, Task.CompletedTask);
                var run = connectors.CreateBackfill(exchange, route, refine, done);
                var stop = new CancellationTokenSource();
                worker = new Worker(exchange, stop, Task.Run(() => RunAfterAsync(exchange, previous, run, stop.Token), CancellationToken.None));
                _running[exchange] = worker;
                _lastRun[exchange] = worker.Run;
            }

            worker.Shards++;
            return new BackfillLease(cancellationToken => LeaveAsync(worker, cancellationToken));
        }
    }

    private async Task LeaveAsync(Worker worker, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (--worker.Shards > 0)
            {
                return;
            }

            _running.Remove(worker.Exchange);
        }

        await worker.Stop.CancelAsync();
        await worker.Run.WaitAsync(cancellationToken);
        worker.Stop.Dispose();
    }

    private async Task RunAfterAsync(Exchange exchange, Task previous, Func<CancellationToken, Task> run, CancellationToken stop)
    {
        await previous;
        try
        {
            await run(stop);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            // The worker carries on past any failed request; reaching here is a bug, and the exchange's gaps wait for the
            // next start of one of its shards.
            LogWorkerFailed(logger, e, exchange.ToName());
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    [LoggerMessage(EventId = GrainsEventIds.BackfillWorkerFailed, Level = LogLevel.Critical, Message = "The {Exchange} backfill worker stopped on a failure")]
    private static partial void LogWorkerFailed(ILogger logger, Exception exception, string exchange);

    private sealed class Worker(Exchange exchange, CancellationTokenSource stop, Task run)
    {
        public Exchange Exchange => exchange;

        public CancellationTokenSource Stop => stop;

        /// <summary>Never faults: failures are logged.</summary>
        public Task Run => run;

        /// <summary>Shards that joined and have not left; changed under the owner's lock.</summary>
        public int Shards { get; set; }
    }

    /// <summary>A shard's share in its exchange's worker; leaving once is all that counts.</summary>
    internal sealed class BackfillLease(Func<CancellationToken, Task> leave)
    {
        private Func<CancellationToken, Task>? _leave = leave;

        /// <summary>Leaves; the last shard to leave stops the worker and waits for it (or until <paramref name="cancellationToken"/>).</summary>
        public Task LeaveAsync(CancellationToken cancellationToken) =>
            Interlocked.Exchange(ref _leave, null) is { } pending ? pending(cancellationToken) : Task.CompletedTask;
    }
}
