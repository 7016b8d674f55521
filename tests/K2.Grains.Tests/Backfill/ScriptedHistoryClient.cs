using System.Collections.Concurrent;
using K2.Core;
using K2.Grains.Backfill;

namespace K2.Grains.Tests.Backfill;

/// <summary>A trade history whose answer to each request the test writes; records what it was asked.</summary>
internal sealed class ScriptedHistoryClient : ITradeHistoryClient
{
    public delegate Task Answer(BackfillRequest request, Func<TradeHistoryPage, CancellationToken, Task> onPage, CancellationToken cancellationToken);

    public Exchange Exchange => Exchange.Binance;

    public ConcurrentQueue<BackfillRequest> Requests { get; } = new();

    /// <summary>How each fetch is answered; by default, with nothing.</summary>
    public Answer Fetch { get; set; } = (_, _, _) => Task.CompletedTask;

    public Task FetchAsync(BackfillRequest request, Func<TradeHistoryPage, CancellationToken, Task> onPage, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        return Fetch(request, onPage, cancellationToken);
    }
}
