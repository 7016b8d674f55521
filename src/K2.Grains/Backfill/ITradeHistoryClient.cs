using K2.Core;

namespace K2.Grains.Backfill;

/// <summary>An exchange's REST trade history, within the exchange's request limits.</summary>
internal interface ITradeHistoryClient
{
    Exchange Exchange { get; }

    /// <summary>
    /// Fetches what <paramref name="request"/> asks for, oldest first, handing each page to <paramref name="onPage"/>.
    /// Returns once the range is covered or the present is reached; throws when the exchange keeps failing.
    /// </summary>
    Task FetchAsync(BackfillRequest request, Func<TradeHistoryPage, CancellationToken, Task> onPage, CancellationToken cancellationToken);
}
