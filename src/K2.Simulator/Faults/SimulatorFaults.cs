using K2.Core;
using K2.Simulator.Binance;
using K2.Simulator.Faults;
using K2.Simulator.Hosting;

namespace K2.Simulator;

/// <summary>
/// Fault injection for tests, in process (also exposed under <c>/control/{exchange}/faults/…</c>). Each method arms a
/// fault on one exchange; <see cref="Counts"/> tells how often each fault actually happened, so a test can prove it
/// exercised every one.
/// </summary>
public sealed class SimulatorFaults
{
    private readonly FaultPlan _plan;
    private readonly VenueCatalog _venues;

    internal SimulatorFaults(FaultPlan plan, VenueCatalog venues)
    {
        _plan = plan;
        _venues = venues;
    }

    /// <summary>Cuts every connection at once, without a close frame. Returns how many were cut.</summary>
    public int DropConnections(Exchange exchange)
    {
        var connections = Venue(exchange).Connections;
        foreach (var connection in connections)
        {
            connection.Abort();
        }

        _plan.Count(exchange, FaultKind.Drop, connections.Count);
        return connections.Count;
    }

    /// <summary>For <paramref name="duration"/>, printed trades go to ground truth and REST but not to the WebSockets.</summary>
    public void SkipWebSocketTrades(Exchange exchange, TimeSpan duration)
    {
        Venue(exchange);
        _plan.SkipTradesFor(exchange, duration);
    }

    /// <summary>
    /// For <paramref name="duration"/>, connections stay open but send nothing the application sees: no trades, no
    /// heartbeats (WebSocket PINGs go on where the server's keep-alive sends them, as on Binance).
    /// </summary>
    public void Stall(Exchange exchange, TimeSpan duration)
    {
        Venue(exchange);
        _plan.StallFor(exchange, duration);
    }

    /// <summary>The next <paramref name="frames"/> trade frames are each sent twice.</summary>
    public void DuplicateFrames(Exchange exchange, int frames)
    {
        Venue(exchange);
        _plan.DuplicateNext(exchange, frames);
    }

    /// <summary>The next <paramref name="frames"/> trade frames are each held back and sent after the frame behind them.</summary>
    public void ReorderFrames(Exchange exchange, int frames)
    {
        Venue(exchange);
        _plan.ReorderNext(exchange, frames);
    }

    /// <summary>Sends <paramref name="count"/> malformed frames on every connection (see <see cref="FaultKind.MalformedFrame"/>).</summary>
    public void SendMalformedFrames(Exchange exchange, int count) =>
        (Venue(exchange) as IFaultableVenue ?? throw new NotSupportedException($"{exchange.ToName()} cannot send malformed frames."))
            .SendMalformedFrames(count);

    /// <summary>Binance: announces <c>serverShutdown</c> on every connection, then closes each after the shutdown grace.</summary>
    public void ServerShutdown(Exchange exchange) =>
        (Venue(exchange) as BinanceVenue ?? throw new NotSupportedException($"{exchange.ToName()} has no serverShutdown event."))
            .AnnounceShutdown();

    /// <summary>The next <paramref name="requests"/> REST requests are refused with <paramref name="fault"/>.</summary>
    public void FailRestRequests(Exchange exchange, int requests, RestFault fault, TimeSpan retryAfter)
    {
        Venue(exchange);
        _plan.FailNextRest(exchange, requests, fault, retryAfter);
    }

    /// <summary>
    /// Drops the faults armed on <paramref name="exchange"/> that nothing has taken yet (duplicates, reorders, REST
    /// refusals waiting for a request); returns how many. Skips and stalls in progress run out by themselves.
    /// </summary>
    public int DisarmPending(Exchange exchange)
    {
        Venue(exchange);
        return _plan.DisarmPending(exchange);
    }

    /// <summary>How many times each fault has happened on <paramref name="exchange"/> so far.</summary>
    public IReadOnlyDictionary<FaultKind, int> Counts(Exchange exchange) => _plan.Counts(exchange);

    private IExchangeVenue Venue(Exchange exchange) =>
        _venues.TryGet(exchange, out var venue) ? venue : throw new NotSupportedException($"The simulator does not serve {exchange.ToName()}.");
}
