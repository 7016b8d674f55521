using System.Globalization;
using System.Text.RegularExpressions;
using K2.Core;
using K2.Core.Exchanges.Kraken;

namespace K2.Simulator.Kraken;

/// <summary>
/// Kraken's public <c>GET /0/public/Trades</c> under <c>/kraken</c>, served from the ground truth so every printed
/// trade is on REST: the trades of <c>pair</c> with a time strictly after <c>since</c>, oldest first, at most
/// <c>count</c> (1 to 1000, default 1000); without <c>since</c>, the most recent <c>count</c>. <c>last</c> is the
/// nanosecond time of the last trade returned (the <c>since</c> given, in nanoseconds, when there is none), to be
/// passed back as <c>since</c>. Every answer is HTTP 200, refusals included, as Kraken's are.
/// </summary>
/// <remarks>
/// <c>since</c> is Unix seconds (<c>1616663618</c>, or with a fraction) or a nanosecond cursor: an integer above
/// <see cref="MaxSinceSeconds"/> is taken as nanoseconds (the simulator's rule; Kraken documents neither form
/// precisely). The simulated market prints each symbol's trades at strictly increasing microseconds, so paging by
/// time neither repeats nor skips a trade; the live Kraken can print several trades in one instant, which is why K2
/// dedupes backfill by trade id.
/// </remarks>
internal static partial class KrakenRestEndpoints
{
    /// <summary>Integers up to here are seconds (the year 5138); larger ones are nanosecond cursors.</summary>
    public const long MaxSinceSeconds = 99_999_999_999;

    private const long NanosPerSecond = 1_000_000_000;

    public static IEndpointRouteBuilder MapKrakenRest(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup(KrakenPaths.Prefix).MapGet(KrakenPaths.Trades, GetTrades).WithName("KrakenRecentTrades");
        return endpoints;
    }

    private static KrakenJsonResult GetTrades(HttpRequest request, KrakenVenue venue)
    {
        // Kraken throttles with HTTP 200 and an error, never 429: every armed REST fault plays as that.
        if (venue.Faults.TakeRestFault(Exchange.Kraken) is not null)
        {
            venue.Faults.Count(Exchange.Kraken, FaultKind.RestThrottled);
            return KrakenJsonResult.Error(KrakenErrorTexts.RestTooManyRequests);
        }

        var pair = request.Query["pair"].ToString();
        if (pair.Length == 0)
        {
            return KrakenJsonResult.Error(KrakenErrorTexts.RestInvalidArguments);
        }

        if (!venue.TryGetRestPair(pair, out var instrument, out var responseKey))
        {
            return KrakenJsonResult.Error(KrakenErrorTexts.RestUnknownAssetPair);
        }

        if (!TryReadCount(request.Query["count"].ToString(), out var count) || !TryReadSince(request.Query["since"].ToString(), out var since))
        {
            return KrakenJsonResult.Error(KrakenErrorTexts.RestInvalidArguments);
        }

        var page = Page(venue.GroundTruth.For(Exchange.Kraken, instrument.ExchangeSymbol), since, count);
        var last = page.Count > 0 ? KrakenWireWriter.Nanoseconds(page[^1].TradeTime) : since ?? 0;
        return KrakenJsonResult.Create(w => KrakenWireWriter.WriteRestTrades(w, responseKey, instrument, page, last));
    }

    private static IReadOnlyList<PrintedTrade> Page(IReadOnlyList<PrintedTrade> trades, long? sinceNanoseconds, int count)
    {
        if (sinceNanoseconds is not { } since)
        {
            return trades.Skip(Math.Max(0, trades.Count - count)).ToList();
        }

        // Times rise strictly per symbol: binary search for the first trade after the cursor.
        var (low, high) = (0, trades.Count);
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (KrakenWireWriter.Nanoseconds(trades[middle].TradeTime) <= since)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return trades.Skip(low).Take(count).ToList();
    }

    private static bool TryReadCount(string text, out int count)
    {
        count = KrakenEndpoints.MaxRestTradesCount;
        return text.Length == 0
            || (Integer().IsMatch(text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count)
                && count is >= 1 and <= KrakenEndpoints.MaxRestTradesCount);
    }

    /// <summary>The cursor in nanoseconds, or null when absent.</summary>
    private static bool TryReadSince(string text, out long? nanoseconds)
    {
        nanoseconds = null;
        if (text.Length == 0)
        {
            return true;
        }

        if (Integer().IsMatch(text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
        {
            nanoseconds = integer <= MaxSinceSeconds ? integer * NanosPerSecond : integer;
            return true;
        }

        if (Seconds().IsMatch(text) && decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            && seconds <= MaxSinceSeconds)
        {
            nanoseconds = (long)decimal.Floor(seconds * NanosPerSecond);
            return true;
        }

        return false;
    }

    [GeneratedRegex("^[0-9]{1,19}$")]
    private static partial Regex Integer();

    [GeneratedRegex("^[0-9]{1,11}\\.[0-9]{1,9}$")]
    private static partial Regex Seconds();
}
