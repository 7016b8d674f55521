using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Ingest;
using K2.Grains.Runtime;
using K2.Storage.Trades;
using K2.Storage.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K2.Grains.Instruments;

/// <summary>
/// Passes each trade of one instrument to the hot store exactly once, and keeps the instrument complete: a jump in
/// trade ids is fetched over REST after a short grace, a possible loss (reconnect, restart, sequence gap) triggers a
/// catch-up from the last trade, and ids the exchange never fills after several attempts are reported as lost.
/// On activation it resumes from the last trade already stored.
/// </summary>
internal sealed partial class InstrumentGrain(
    InstrumentRegistry registry,
    BatchedTableWriter<Trade> silverTrades,
    TradeQueries storedTrades,
    BackfillQueues backfills,
    IOptions<IngestOptions> options,
    IngestMetrics metrics,
    ILogger<InstrumentGrain> logger) : Grain, IInstrumentGrain
{
    private readonly TradeSequenceTracker _tracker = new();
    private Instrument _instrument = null!;

    // One catch-up at a time: a burst of possible losses (a flapping connection, several sequence gaps) needs only one.
    private bool _catchUpQueued;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = GetPrimaryKeyString();
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !ExchangeNames.TryParse(key.AsSpan(0, slash), out var exchange) || !registry.TryGet(exchange, key[(slash + 1)..], out var instrument))
        {
            throw new InvalidOperationException($"'{key}' is not an instrument of the registry.");
        }

        _instrument = instrument;
        var last = (await storedTrades.GetLatestAsync(exchange, instrument.Symbol, 1, cancellationToken)).FirstOrDefault();
        if (last is not null)
        {
            var id = TradeId.FromText(last.TradeId);
            if (id.IsNumeric)
            {
                _tracker.ResumeAfter(id.Number, last.ExchangeTime);
            }
            else
            {
                _tracker.Record(id, last.ExchangeTime);
            }

            LogResumed(logger, instrument.Key, last.TradeId, last.ExchangeTime.ToString());
        }
    }

    public async Task OnTradesAsync(IReadOnlyList<Trade> trades, CancellationToken cancellationToken)
    {
        foreach (var trade in trades)
        {
            if (!_tracker.IsNew(trade.TradeId))
            {
                metrics.Duplicate(trade.Exchange);
                continue;
            }

            // Recorded as passed on only once the writer has it: a trade that never reached it may come again.
            await silverTrades.WriteAsync(trade, cancellationToken);
            metrics.Normalized(trade.Exchange);
            if (_tracker.Record(trade.TradeId, trade.ExchangeTime) is { } gap)
            {
                metrics.GapDetected(trade.Exchange, gap.Count);
                LogGap(logger, _instrument.Key, gap.FromId, gap.ToId, gap.Count);
                Enqueue(new BackfillRequest(_instrument, BackfillReason.Gap, gap.FromId, gap.ToId, gap.After, gap.Before), options.Value.GapGrace);
            }
        }

        foreach (var dropped in _tracker.TrimGaps())
        {
            metrics.GapAbandoned(_instrument.Exchange, dropped.Count);
            LogAbandoned(logger, _instrument.Key, dropped.FromId, dropped.ToId, dropped.Count, "too many open gaps");
        }
    }

    public Task OnPossibleLossAsync(string reason, CancellationToken cancellationToken)
    {
        // Nothing passed on yet (and nothing stored): there is no point to catch up from.
        if (!_catchUpQueued && (_tracker.HighestId is not null || _tracker.NewestTime is not null))
        {
            _catchUpQueued = Enqueue(
                new BackfillRequest(_instrument, BackfillReason.CatchUp, _tracker.HighestId + 1, null, _tracker.NewestTime, null), TimeSpan.Zero);
        }

        return Task.CompletedTask;
    }

    public Task OnBackfillDoneAsync(BackfillRequest request, bool succeeded, CancellationToken cancellationToken)
    {
        var attemptsLeft = request.Attempt < options.Value.MaxBackfillAttempts;
        var retryDelay = options.Value.BackfillRetryDelay * request.Attempt;
        if (request.Reason == BackfillReason.CatchUp)
        {
            // A catch-up has nothing to verify; one that failed is tried again.
            _catchUpQueued = !succeeded && attemptsLeft && Enqueue(request with { Attempt = request.Attempt + 1 }, retryDelay);
            return Task.CompletedTask;
        }

        if (request is not { FromId: { } from, ToId: { } to })
        {
            return Task.CompletedTask;
        }

        var missing = _tracker.GapsWithin(from, to).Sum(g => Math.Min(g.ToId, to) - Math.Max(g.FromId, from) + 1);
        if (missing == 0)
        {
            metrics.GapRepaired(_instrument.Exchange);
            LogRepaired(logger, _instrument.Key, from, to);
        }
        else if (attemptsLeft)
        {
            Enqueue(request with { Attempt = request.Attempt + 1 }, retryDelay);
        }
        else
        {
            var abandoned = _tracker.Abandon(from, to);
            metrics.GapAbandoned(_instrument.Exchange, abandoned);
            LogAbandoned(logger, _instrument.Key, from, to, abandoned, $"not on REST after {request.Attempt} attempts");
        }

        return Task.CompletedTask;
    }

    public Task<InstrumentStatus> GetStatusAsync() => Task.FromResult(new InstrumentStatus(
        _instrument.Key,
        _tracker.HighestId?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _tracker.NewestTime?.ToDateTimeOffset(),
        _tracker.OpenGaps.Count,
        _tracker.MissingCount));

    private bool Enqueue(BackfillRequest request, TimeSpan delay)
    {
        if (backfills.For(_instrument.Exchange).TryEnqueue(request, delay))
        {
            return true;
        }

        LogQueueFull(logger, request.ToString());
        return false;
    }

    [LoggerMessage(EventId = GrainsEventIds.InstrumentResumed, Level = LogLevel.Information, Message = "{Instrument} resumes after stored trade {TradeId} at {ExchangeTime}")]
    private static partial void LogResumed(ILogger logger, string instrument, string tradeId, string exchangeTime);

    [LoggerMessage(EventId = GrainsEventIds.GapDetected, Level = LogLevel.Warning, Message = "{Instrument} missing trade ids {FromId}..{ToId} ({Count}); backfilling")]
    private static partial void LogGap(ILogger logger, string instrument, long fromId, long toId, long count);

    [LoggerMessage(EventId = GrainsEventIds.GapRepaired, Level = LogLevel.Information, Message = "{Instrument} gap {FromId}..{ToId} repaired")]
    private static partial void LogRepaired(ILogger logger, string instrument, long fromId, long toId);

    [LoggerMessage(EventId = GrainsEventIds.GapAbandoned, Level = LogLevel.Error, Message = "{Instrument} gave up {Count} missing trade ids in {FromId}..{ToId}: {Why}")]
    private static partial void LogAbandoned(ILogger logger, string instrument, long fromId, long toId, long count, string why);

    [LoggerMessage(EventId = GrainsEventIds.BackfillQueueFull, Level = LogLevel.Error, Message = "Backfill queue full; dropped {Request}")]
    private static partial void LogQueueFull(ILogger logger, string request);
}
