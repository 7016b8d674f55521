using System.Globalization;
using K2.Core;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Trades;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.Rest;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Exchanges.Coinbase;

/// <summary>
/// Coinbase trade history: the public ticker endpoint returns a time window's trades newest first, so the window is
/// walked backwards from its end to its start, and the pages are then handed over oldest first (handing the newest
/// first would make every older trade look like a gap behind it). 429 pauses every request until its Retry-After.
/// </summary>
internal sealed partial class CoinbaseTradeHistoryClient(
    HttpClient http, CoinbaseOptions options, RestRequestGate gate, TimeProvider time, ILogger<CoinbaseTradeHistoryClient> logger) : ITradeHistoryClient
{
    private const int MaxFailedAttempts = 5;

    /// <summary>Past this many trades in one window, pages are handed over as they come rather than held for ordering.</summary>
    private const int MaxHeldTrades = 200_000;

    public Exchange Exchange => Exchange.Coinbase;

    public async Task FetchAsync(BackfillRequest request, Func<TradeHistoryPage, CancellationToken, Task> onPage, CancellationToken cancellationToken)
    {
        // Coinbase pages by time; an instrument that has passed nothing on has no time to continue from.
        if (request.After is not { } after)
        {
            return;
        }

        var product = CoinbaseSymbols.MarketDataProductId(request.Instrument);
        var start = after.Value - 1; // several trades can share the last one's time; known ones are dropped
        var end = (request.Before ?? UnixMicros.Now(time)).Value + 1;
        var pages = new Stack<TradeHistoryPage>();
        var held = 0;
        var failures = 0;
        while (end > start)
        {
            await gate.WaitAsync(1, cancellationToken);
            var path = string.Create(CultureInfo.InvariantCulture,
                $"{CoinbaseEndpoints.TickerPath(product)}?limit={CoinbaseEndpoints.MaxTickerLimit}&start={Seconds(start)}&end={Seconds(end)}");
            byte[] body;
            try
            {
                using var response = await http.GetAsync($"{options.RestBase.ToString().TrimEnd('/')}{path}", cancellationToken);
                if (RestResponses.IsRateLimited(response))
                {
                    var retryAfter = RestResponses.RetryAfter(response, time);
                    gate.PauseUntil(time.GetUtcNow() + retryAfter);
                    LogLimited(logger, retryAfter);
                    continue;
                }

                response.EnsureSuccessStatusCode();
                body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            }
            catch (HttpRequestException e) when (++failures < MaxFailedAttempts)
            {
                LogRetrying(logger, e, path, failures);
                await Task.Delay(TimeSpan.FromSeconds(failures), time, cancellationToken);
                continue;
            }

            var receivedAt = UnixMicros.Now(time);
            List<Trade> trades = [];
            List<TradeRejection> rejections = [];
            if (!CoinbaseRestTradesParser.TryParse(body, request.Instrument, options.SideConvention, receivedAt, trades, rejections))
            {
                throw new HttpRequestException($"Coinbase answered {path} with a body that is not a trade list.");
            }

            failures = 0;
            trades.Reverse(); // oldest first within the page
            var page = new TradeHistoryPage(trades, rejections, $"GET {path}", receivedAt);
            if (held + trades.Count <= MaxHeldTrades)
            {
                pages.Push(page);
                held += trades.Count;
            }
            else
            {
                await onPage(page, cancellationToken);
            }

            if (trades.Count + rejections.Count < CoinbaseEndpoints.MaxTickerLimit || trades.Count == 0)
            {
                break; // the window's start is reached
            }

            // Next page: everything older than this page's oldest trade (its own time again: ties are deduplicated).
            var oldest = trades[0].ExchangeTime.Value;
            end = oldest < end ? oldest + 1 : end - 1;
        }

        while (pages.TryPop(out var page))
        {
            await onPage(page, cancellationToken);
        }
    }

    /// <summary>Unix seconds with microseconds, e.g. <c>1763769600.123456</c>.</summary>
    private static string Seconds(long micros) =>
        (micros / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = GrainsEventIds.BackfillFailed, Level = LogLevel.Warning, Message = "Coinbase REST answered 429; pausing requests for {RetryAfter}")]
    private static partial void LogLimited(ILogger logger, TimeSpan retryAfter);

    [LoggerMessage(EventId = GrainsEventIds.BackfillFailed, Level = LogLevel.Warning, Message = "Coinbase REST {Path} failed (attempt {Attempt}); retrying")]
    private static partial void LogRetrying(ILogger logger, Exception exception, string path, int attempt);
}
