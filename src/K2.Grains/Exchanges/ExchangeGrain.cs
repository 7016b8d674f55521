using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Instruments;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K2.Grains.Exchanges;

/// <summary>
/// Owns one exchange's session and backfill worker. Both are long-lived I/O loops running beside the grain's turns,
/// not messages; the grain starts and stops them and connects them to the instrument grains. The loops run outside
/// the activation, so they call grains through the silo's factory, and never this grain (it may be awaiting them).
/// </summary>
[KeepAlive]
internal sealed partial class ExchangeGrain(
    ExchangeConnectors connectors, InstrumentRegistry registry, IGrainFactory grains, IOptions<IngestOptions> options, ILogger<ExchangeGrain> logger)
    : Grain, IExchangeGrain
{
    private IExchangeSession? _session;
    private IDisposable? _reconcile;
    private CancellationTokenSource? _stop;
    private Task _run = Task.CompletedTask;
    private Exchange _exchange;

    public Task StartAsync()
    {
        if (_stop is not null)
        {
            return Task.CompletedTask;
        }

        if (!ExchangeNames.TryParse(this.GetPrimaryKeyString(), out _exchange))
        {
            throw new InvalidOperationException($"'{this.GetPrimaryKeyString()}' is not an exchange.");
        }

        _session ??= connectors.CreateSession(_exchange, RouteAsync, SignalPossibleLossAsync);
        var backfill = connectors.CreateBackfillWorker(_exchange, RouteAsync, StillMissingAsync, BackfillDoneAsync);
        _stop = new CancellationTokenSource();
        var session = _session;
        var token = _stop.Token;
        _run = Task.WhenAll(
            Task.Run(() => session.RunAsync(token), CancellationToken.None),
            Task.Run(() => backfill.RunAsync(token), CancellationToken.None));
        if (options.Value.ReconcileInterval > TimeSpan.Zero)
        {
            var every = options.Value.ReconcileInterval;
            _reconcile = this.RegisterGrainTimer(ct => SignalPossibleLossAsync("periodic reconciliation", ct), every, every);
        }

        // Both loops catch what they can; should one still fail, say so at once rather than at the next stop.
        _ = _run.ContinueWith(
            t => LogRunFailed(logger, t.Exception!, _exchange.ToName()), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null)
        {
            return;
        }

        _reconcile?.Dispose();
        _reconcile = null;
        await _stop.CancelAsync();
        try
        {
            await _run.WaitAsync(cancellationToken);
        }
        finally
        {
            _stop.Dispose();
            _stop = null;
        }
    }

    public Task<ExchangeSessionStatus> GetStatusAsync() =>
        Task.FromResult(_session?.GetStatus() ?? new ExchangeSessionStatus(this.GetPrimaryKeyString(), false, 0, 0, 0, 0, null));

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => StopAsync(cancellationToken);

    private Task RouteAsync(Instrument instrument, IReadOnlyList<Trade> trades, CancellationToken cancellationToken) =>
        TradeHandover.SendAsync(grains.GetGrain<IInstrumentGrain>(instrument.Key), trades, cancellationToken);

    /// <summary>Every instrument of the exchange catches up; this also activates (and so resumes) quiet ones.</summary>
    private async Task SignalPossibleLossAsync(string reason, CancellationToken cancellationToken)
    {
        foreach (var instrument in registry.ForExchange(_exchange))
        {
            await grains.GetGrain<IInstrumentGrain>(instrument.Key).OnPossibleLossAsync(reason, cancellationToken);
        }
    }

    private Task BackfillDoneAsync(BackfillRequest request, bool succeeded, CancellationToken cancellationToken) =>
        grains.GetGrain<IInstrumentGrain>(request.Instrument.Key).OnBackfillDoneAsync(request, succeeded, cancellationToken);

    private Task<BackfillRequest?> StillMissingAsync(BackfillRequest request, CancellationToken cancellationToken) =>
        grains.GetGrain<IInstrumentGrain>(request.Instrument.Key).GetStillMissingAsync(request);

    [LoggerMessage(EventId = GrainsEventIds.BackfillWorkerFailed, Level = LogLevel.Critical, Message = "The {Exchange} session or backfill loop failed; restart K2 to recover it")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string exchange);
}
