using System.Globalization;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Core.Trades;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.Rest;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Exchanges.Binance;

/// <summary>
/// Binance trade history by id: <c>GET /api/v3/historicalTrades?symbol=…&amp;fromId=…&amp;limit=1000</c> in microseconds,
/// page after page until the requested id (or the present) is reached, within the request-weight budget; 429 and
/// 418 pause every request until their <c>Retry-After</c>.
/// </summary>
internal sealed partial class BinanceTradeHistoryClient(
    HttpClient http, BinanceOptions options, RestRequestGate gate, TimeProvider time, ILogger<BinanceTradeHistoryClient> logger) : ITradeHistoryClient
{
    private const int MaxFailedAttempts = 5;

    public Exchange Exchange => Exchange.Binance;

    public async Task FetchAsync(BackfillRequest request, Func<TradeHistoryPage, CancellationToken, Task> onPage, CancellationToken cancellationToken)
    {
        // Binance pages by id; an instrument that has passed nothing on has no id to continue from.
        if (request.FromId is not { } fromId)
        {
            return;
        }

        var failures = 0;
        while (true)
        {
            await gate.WaitAsync(BinanceEndpoints.HistoricalTradesWeight, cancellationToken);
            // A gap asks for exactly its ids (the weight is the same, the page smaller); a catch-up for full pages.
            var limit = request.ToId is { } last ? (int)Math.Clamp(last - fromId + 1, 1, BinanceEndpoints.MaxRestLimit) : BinanceEndpoints.MaxRestLimit;
            var path = string.Create(CultureInfo.InvariantCulture,
                $"{BinanceEndpoints.HistoricalTradesPath}?symbol={request.Instrument.ExchangeSymbol}&fromId={fromId}&limit={limit}");
            using var message = new HttpRequestMessage(HttpMethod.Get, $"{options.RestBase.ToString().TrimEnd('/')}{path}");
            message.Headers.Add(BinanceEndpoints.TimeUnitHeader, "MICROSECOND");

            byte[] body;
            try
            {
                using var response = await http.SendAsync(message, cancellationToken);
                if (RestResponses.IsRateLimited(response))
                {
                    var retryAfter = RestResponses.RetryAfter(response, time);
                    gate.PauseUntil(time.GetUtcNow() + retryAfter);
                    LogLimited(logger, (int)response.StatusCode, retryAfter);
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
            if (!BinanceRestTradesParser.TryParse(body, request.Instrument, BinanceTimeUnit.Microsecond, receivedAt, trades, rejections))
            {
                throw new HttpRequestException($"Binance answered {path} with a body that is not a trade list.");
            }

            failures = 0;
            await onPage(new TradeHistoryPage(trades, rejections, $"GET {path}", receivedAt), cancellationToken);

            var elements = trades.Count + rejections.Count;
            if (trades.Count == 0 || elements < limit)
            {
                return; // the present is reached
            }

            var lastId = trades.Max(t => t.TradeId.Number);
            if (request.ToId is { } toId && lastId >= toId)
            {
                return;
            }

            fromId = lastId + 1;
        }
    }

    [LoggerMessage(EventId = GrainsEventIds.BackfillFailed, Level = LogLevel.Warning, Message = "Binance REST answered {Status}; pausing requests for {RetryAfter}")]
    private static partial void LogLimited(ILogger logger, int status, TimeSpan retryAfter);

    [LoggerMessage(EventId = GrainsEventIds.BackfillFailed, Level = LogLevel.Warning, Message = "Binance REST {Path} failed (attempt {Attempt}); retrying")]
    private static partial void LogRetrying(ILogger logger, Exception exception, string path, int attempt);
}
