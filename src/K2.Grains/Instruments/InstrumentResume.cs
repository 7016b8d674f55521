using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Storage.ClickHouse;
using K2.Storage.Trades;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Instruments;

/// <summary>
/// Where an activation goes on from: <see cref="StoredThrough"/> the newest stored exchange time (null when nothing is
/// stored), <see cref="FromStore"/> false when the store did not answer (then every candle bucket up to the latest time
/// a valid trade can carry counts as stored), and the <see cref="Holes"/> stored trades show, now open gaps.
/// </summary>
internal sealed record ResumePoint(UnixMicros? StoredThrough, bool FromStore, IReadOnlyList<TradeGap> Holes);

/// <summary>
/// Resumes an instrument's tracker from the hot store: after the last trade stored, with the holes of the recent stored
/// trades (a gap that was still being fetched when K2 stopped) reopened. Retries while the store is unavailable, within
/// the resume time limit; then gives up so trades keep flowing (what was missing is found again at the next restart).
/// </summary>
internal sealed partial class InstrumentResume(
    TradeQueries storedTrades, bool sequentialIds, TimeSpan resumeGapWindow, int maxRestoredGaps, TimeProvider time, ILogger logger)
{
    /// <summary>Tries of the resume query while the hot store is unavailable, doubling from one second.</summary>
    private const int Attempts = 5;

    /// <summary>Resumes <paramref name="tracker"/> of <paramref name="instrument"/>, trying until <paramref name="limit"/> expires.</summary>
    public async Task<ResumePoint> ResumeAsync(Instrument instrument, TradeSequenceTracker tracker, StoreWaitDeadline limit)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(limit);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ResumeOnceAsync(instrument, tracker, limit.Token);
            }
            catch (ClickHouseException e) when (attempt < Attempts)
            {
                LogResumeRetry(logger, e, instrument.Key, attempt);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1 << (attempt - 1)), time, limit.Token);
                }
                catch (OperationCanceledException) when (limit.Expired)
                {
                    // Reported below as a failed resume.
                }
            }
            catch (Exception e) when (e is ClickHouseException || (e is OperationCanceledException && limit.Expired))
            {
                // Trades must keep flowing; what was missing before the stop is found again at the next restart. Not
                // knowing what is stored, every candle bucket up to the latest time a valid trade can carry is
                // recomputed before it is continued.
                LogResumeFailed(logger, e, instrument.Key);
                return new ResumePoint(new UnixMicros(UnixMicros.Now(time).Value + (TradeValidator.MaxClockSkew.Ticks / TimeSpan.TicksPerMicrosecond)), false, []);
            }
        }
    }

    private async Task<ResumePoint> ResumeOnceAsync(Instrument instrument, TradeSequenceTracker tracker, CancellationToken cancellationToken)
    {
        var last = (await storedTrades.GetLatestAsync(instrument.Exchange, instrument.Symbol, 1, cancellationToken)).FirstOrDefault();
        if (last is null)
        {
            return new ResumePoint(null, true, []);
        }

        var id = TradeId.FromText(last.TradeId);
        List<TradeGap> holes = [];
        if (id.IsNumeric && sequentialIds)
        {
            tracker.ResumeAfter(id.Number, last.ExchangeTime);
            var since = new UnixMicros(UnixMicros.Now(time).Value - (resumeGapWindow.Ticks / TimeSpan.TicksPerMicrosecond));
            foreach (var hole in await storedTrades.FindIdGapsAsync(instrument.Exchange, instrument.Symbol, since, maxRestoredGaps, cancellationToken))
            {
                tracker.RestoreGap(hole);
                holes.Add(hole);
            }
        }
        else
        {
            tracker.Record(id, last.ExchangeTime);
        }

        LogResumed(logger, instrument.Key, last.TradeId, last.ExchangeTime.ToString(), tracker.OpenGaps.Count);
        return new ResumePoint(last.ExchangeTime, true, holes);
    }

    [LoggerMessage(EventId = GrainsEventIds.InstrumentResumed, Level = LogLevel.Information,
        Message = "{Instrument} resumes after stored trade {TradeId} at {ExchangeTime}, with {OpenGaps} hole(s) to fetch")]
    private static partial void LogResumed(ILogger logger, string instrument, string tradeId, string exchangeTime, int openGaps);

    [LoggerMessage(EventId = GrainsEventIds.InstrumentResumeRetry, Level = LogLevel.Warning, Message = "{Instrument} could not read the hot store to resume (attempt {Attempt}); retrying")]
    private static partial void LogResumeRetry(ILogger logger, Exception exception, string instrument, int attempt);

    [LoggerMessage(EventId = GrainsEventIds.InstrumentResumeFailed, Level = LogLevel.Error, Message = "{Instrument} starts without resuming: the hot store did not answer")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception, string instrument);
}
