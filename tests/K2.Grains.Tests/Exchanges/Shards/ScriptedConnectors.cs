using System.Collections.Concurrent;
using K2.Core;
using K2.Grains.Abstractions;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges;
using K2.Grains.Exchanges.Sessions;

namespace K2.Grains.Tests.Exchanges.Shards;

/// <summary>
/// Sessions and backfill loops that reach no exchange and no store: each one says in <see cref="Events"/> when it
/// starts and stops (<c>session binance/0 started</c>, <c>backfill binance stopped</c>), and runs until cancelled,
/// unless told to fail.
/// </summary>
internal sealed class ScriptedConnectors(ConcurrentQueue<string> events) : IExchangeConnectors
{
    private readonly Lock _gate = new();
    private readonly List<ScriptedSession> _sessions = [];
    private readonly HashSet<string> _failNext = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Events => events;

    /// <summary>The sessions created for a shard so far, oldest first.</summary>
    public IReadOnlyList<ScriptedSession> SessionsOf(string shard)
    {
        lock (_gate)
        {
            return [.. _sessions.Where(s => s.Shard.Key == shard)];
        }
    }

    /// <summary>The next session created for <paramref name="shard"/> ends with a failure as soon as it runs.</summary>
    public void FailNextSession(string shard)
    {
        lock (_gate)
        {
            _failNext.Add(shard);
        }
    }

    public IExchangeSession CreateSession(ExchangeShard shard, TradeRoute route, PossibleLoss signalPossibleLoss)
    {
        lock (_gate)
        {
            var session = new ScriptedSession(shard, events, fails: _failNext.Remove(shard.Key));
            _sessions.Add(session);
            return session;
        }
    }

    public Func<CancellationToken, Task> CreateBackfill(Exchange exchange, TradeRoute route, BackfillRefine refine, BackfillDone done) =>
        async stop =>
        {
            events.Enqueue($"backfill {exchange.ToName()} started");
            await RunUntilAsync(stop);
            events.Enqueue($"backfill {exchange.ToName()} stopped");
        };

    private static async Task RunUntilAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, stop);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    /// <summary>A shard's stand-in session: connected while it runs.</summary>
    internal sealed class ScriptedSession(ExchangeShard shard, ConcurrentQueue<string> events, bool fails) : IExchangeSession
    {
        private volatile bool _running;

        public ExchangeShard Shard => shard;

        public Exchange Exchange => shard.Exchange;

        public bool IsRunning => _running;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            _running = true;
            events.Enqueue($"session {shard.Key} started");
            if (fails)
            {
                _running = false;
                events.Enqueue($"session {shard.Key} failed");
                throw new InvalidOperationException($"The scripted session of {shard.Key} fails.");
            }

            await RunUntilAsync(cancellationToken);
            _running = false;
            events.Enqueue($"session {shard.Key} stopped");
        }

        public ExchangeSessionStatus GetStatus() =>
            new(shard.Exchange.ToName(), _running, _running ? shard.Instruments.Count : 0, 1, 0, 0, null);
    }
}
