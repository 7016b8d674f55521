using System.Collections.Concurrent;
using K2.Core;

namespace K2.Simulator.Faults;

/// <summary>
/// The faults in force, per exchange, and a count of each fault that actually happened. Venues consult it on their
/// send paths and REST handlers; tests arm it through <see cref="SimulatorFaults"/>. Thread-safe; never blocks.
/// </summary>
internal sealed class FaultPlan(TimeProvider time)
{
    private readonly ConcurrentDictionary<Exchange, ExchangeFaults> _byExchange = new();

    /// <summary>Until the given time, printed trades are not sent on this exchange's WebSockets.</summary>
    public void SkipTradesFor(Exchange exchange, TimeSpan duration) => For(exchange).SkipUntil = time.GetUtcNow() + duration;

    /// <summary>Until the given time, this exchange's connections send nothing at all: no trades, no heartbeats.</summary>
    public void StallFor(Exchange exchange, TimeSpan duration) => For(exchange).StallUntil = time.GetUtcNow() + duration;

    public void DuplicateNext(Exchange exchange, int frames) => Interlocked.Add(ref For(exchange).DuplicatesArmed, frames);

    public void ReorderNext(Exchange exchange, int frames) => Interlocked.Add(ref For(exchange).ReordersArmed, frames);

    public void FailNextRest(Exchange exchange, int requests, RestFault fault, TimeSpan retryAfter)
    {
        var faults = For(exchange);
        for (var i = 0; i < requests; i++)
        {
            faults.RestFaults.Enqueue((fault, retryAfter));
        }
    }

    /// <summary>Drops every armed duplicate, reorder and REST fault not yet taken; returns how many there were.</summary>
    public int DisarmPending(Exchange exchange)
    {
        var faults = For(exchange);
        var disarmed = Interlocked.Exchange(ref faults.DuplicatesArmed, 0) + Interlocked.Exchange(ref faults.ReordersArmed, 0);
        while (faults.RestFaults.TryDequeue(out _))
        {
            disarmed++;
        }

        return disarmed;
    }

    public bool IsSkippingTrades(Exchange exchange) => time.GetUtcNow() < For(exchange).SkipUntil;

    public bool IsStalled(Exchange exchange) => time.GetUtcNow() < For(exchange).StallUntil;

    /// <summary>True when this trade frame is to be sent twice (consumes one armed duplicate).</summary>
    public bool TakeDuplicate(Exchange exchange) => TryTake(ref For(exchange).DuplicatesArmed);

    /// <summary>True when this trade frame is to be held back behind the next one (consumes one armed reorder).</summary>
    public bool TakeReorder(Exchange exchange) => TryTake(ref For(exchange).ReordersArmed);

    /// <summary>The fault for this REST request, if one is armed.</summary>
    public (RestFault Fault, TimeSpan RetryAfter)? TakeRestFault(Exchange exchange) =>
        For(exchange).RestFaults.TryDequeue(out var fault) ? fault : null;

    public void Count(Exchange exchange, FaultKind kind, int times = 1) => For(exchange).Counts.AddOrUpdate(kind, times, (_, n) => n + times);

    public IReadOnlyDictionary<FaultKind, int> Counts(Exchange exchange) => new Dictionary<FaultKind, int>(For(exchange).Counts);

    private ExchangeFaults For(Exchange exchange) => _byExchange.GetOrAdd(exchange, static _ => new ExchangeFaults());

    private static bool TryTake(ref int armed)
    {
        while (true)
        {
            var current = Volatile.Read(ref armed);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref armed, current - 1, current) == current)
            {
                return true;
            }
        }
    }

    private sealed class ExchangeFaults
    {
        public int DuplicatesArmed;
        public int ReordersArmed;

        public DateTimeOffset SkipUntil { get; set; }

        public DateTimeOffset StallUntil { get; set; }

        public ConcurrentQueue<(RestFault, TimeSpan)> RestFaults { get; } = new();

        public ConcurrentDictionary<FaultKind, int> Counts { get; } = new();
    }
}
