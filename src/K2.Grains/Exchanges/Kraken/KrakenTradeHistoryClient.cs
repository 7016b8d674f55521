using System.Globalization;
using K2.Core;
using K2.Core.Exchanges.Kraken;
using K2.Core.Trades;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.Rest;

namespace K2.Grains.Exchanges.Kraken;

/// <summary>
/// Kraken trade history: <c>GET /0/public/Trades?pair=…&amp;since=…&amp;count=1000</c>, from just before the last trade
/// passed on (or the start of a requested range) and onward by the nanosecond <c>last</c> cursor, until the requested id
/// or time, or the present, is reached.
/// Kraken throttles with an HTTP-200 <c>EGeneral:Too many requests</c>; that pauses every request for
/// <see cref="KrakenOptions.RestThrottlePause"/> each time, without growing: Kraken's limiter refills about one call a
/// second, so after a pause of seconds a throttle means another client of the IP is spending it, and waiting longer only
/// delays repairs. Doubling to a minute held the one backfill worker in a single request for minutes when throttles came
/// one after another (issue 11: eleven in a row left Kraken gaps unrepaired for more than seven minutes), while one
/// request per pause stays far below Kraken's one a second.
/// </summary>
internal sealed class KrakenTradeHistoryClient(RestPager pager, KrakenOptions options, TimeProvider time) : ITradeHistoryClient
{
    private const long NanosecondsPerMicrosecond = 1_000;

    public Exchange Exchange => Exchange.Kraken;

    /// <summary>An operator's requested range may lie beyond the live rule's 30 days.</summary>
    private static ExchangeTimeRule TimeRule(BackfillRequest request) =>
        request.Reason == BackfillReason.Requested ? ExchangeTimeRule.Replay : ExchangeTimeRule.Live;

    public async Task FetchAsync(BackfillRequest request, Func<TradeHistoryPage, CancellationToken, Task> onPage, CancellationToken cancellationToken)
    {
        // Kraken pages by time; an instrument that has passed nothing on has no time to continue from.
        if (request.After is not { } after)
        {
            return;
        }

        // One microsecond early: several trades can share the last one's time, and those already passed on are dropped.
        var since = (after.Value - 1) * NanosecondsPerMicrosecond;
        while (true)
        {
            var path = string.Create(CultureInfo.InvariantCulture,
                $"{KrakenEndpoints.TradesPath}?pair={KrakenSymbols.RestPair(request.Instrument)}&since={since}&count={KrakenEndpoints.MaxRestTradesCount}");
            var body = await pager.GetAsync(options.RestBase, path, weight: 1, headers: null, cancellationToken);

            var receivedAt = UnixMicros.Now(time);
            List<Trade> trades = [];
            List<TradeRejection> rejections = [];
            var page = KrakenRestTradesParser.Parse(body, request.Instrument, receivedAt, trades, rejections, TimeRule(request));
            if (page.Outcome == KrakenRestOutcome.Throttled)
            {
                pager.PauseFor(options.RestThrottlePause, string.Join("; ", page.Errors));
                continue;
            }

            if (page.Outcome != KrakenRestOutcome.Trades)
            {
                throw new HttpRequestException($"Kraken answered {path} with {page.Outcome}: {string.Join("; ", page.Errors)} {page.Detail}");
            }

            await onPage(new TradeHistoryPage(trades, rejections, $"GET {path}", receivedAt), cancellationToken);

            var reachedId = request.ToId is { } toId && trades.Count > 0 && trades.Max(t => t.TradeId.Number) >= toId;
            var reachedEnd = request.Before is { } before && page.LastNanoseconds >= before.Value * NanosecondsPerMicrosecond;
            if (reachedId || reachedEnd || page.TradeCount + page.RejectedCount < KrakenEndpoints.MaxRestTradesCount || page.LastNanoseconds is not { } next || next <= since)
            {
                return; // the requested id or time, or the present, is reached
            }

            since = next;
        }
    }
}
