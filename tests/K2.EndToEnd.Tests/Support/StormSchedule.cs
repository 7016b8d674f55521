using System.Globalization;
using K2.Core;
using K2.Simulator;

namespace K2.EndToEnd.Tests.Support;

/// <summary>Every fault the simulator can arm, as a storm picks them.</summary>
internal enum StormFaultKind
{
    Drop,
    Skip,
    Stall,
    Duplicate,
    Reorder,
    Malformed,
    ServerShutdown,
    Rest429,
    Rest418,
    RestThrottle,
}

/// <summary>One fault of a storm: when (from the storm's start), where, what, and its size (frames, requests or a duration).</summary>
internal sealed record StormFault(TimeSpan At, Exchange Exchange, StormFaultKind Kind, int Count, TimeSpan Duration)
{
    /// <summary>What a refused REST request asks the client to wait (the simulator's control API default).</summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public void Inject(SimulatorFaults faults)
    {
        switch (Kind)
        {
            case StormFaultKind.Drop: faults.DropConnections(Exchange); break;
            case StormFaultKind.Skip: faults.SkipWebSocketTrades(Exchange, Duration); break;
            case StormFaultKind.Stall: faults.Stall(Exchange, Duration); break;
            case StormFaultKind.Duplicate: faults.DuplicateFrames(Exchange, Count); break;
            case StormFaultKind.Reorder: faults.ReorderFrames(Exchange, Count); break;
            case StormFaultKind.Malformed: faults.SendMalformedFrames(Exchange, Count); break;
            case StormFaultKind.ServerShutdown: faults.ServerShutdown(Exchange); break;
            case StormFaultKind.Rest429: faults.FailRestRequests(Exchange, Count, RestFault.TooManyRequests, RetryAfter); break;
            case StormFaultKind.Rest418: faults.FailRestRequests(Exchange, Count, RestFault.Banned, RetryAfter); break;
            case StormFaultKind.RestThrottle: faults.FailRestRequests(Exchange, Count, RestFault.Throttled, RetryAfter); break;
            default: throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null);
        }
    }

    public override string ToString()
    {
        var size = Kind switch
        {
            StormFaultKind.Skip or StormFaultKind.Stall => $" {Duration.TotalSeconds:0.0} s",
            StormFaultKind.Drop or StormFaultKind.ServerShutdown => "",
            _ => $" x{Count}",
        };
        return string.Create(CultureInfo.InvariantCulture, $"+{At.TotalSeconds,6:0.0} s {Exchange.ToName(),-8} {Kind}{size}");
    }
}

/// <summary>
/// A storm from a seed: one fault every 2-5 s on a random exchange, of a random kind among all the simulator supports
/// there (Binance alone has serverShutdown and the 418 ban; on Kraken every REST refusal is its HTTP-200 throttling
/// reply; on Coinbase, a 429). Skips last 0.5-2 s, stalls 1-3 s; duplicates, reorders and malformed frames come 1-5 at
/// a time, REST refusals 1-3.
/// </summary>
internal static class StormSchedule
{
    private static readonly Exchange[] Exchanges = [Exchange.Binance, Exchange.Kraken, Exchange.Coinbase];

    private static readonly StormFaultKind[] Common =
    [
        StormFaultKind.Drop, StormFaultKind.Skip, StormFaultKind.Stall, StormFaultKind.Duplicate, StormFaultKind.Reorder,
        StormFaultKind.Malformed, StormFaultKind.Rest429, StormFaultKind.RestThrottle,
    ];

    public static IReadOnlyList<StormFault> Generate(int seed, TimeSpan length)
    {
        var random = new Random(seed);
        var faults = new List<StormFault>();
        for (var at = Between(random, 2, 5); at < length.TotalSeconds; at += Between(random, 2, 5))
        {
            var exchange = Exchanges[random.Next(Exchanges.Length)];
            StormFaultKind[] kinds = exchange == Exchange.Binance ? [.. Common, StormFaultKind.ServerShutdown, StormFaultKind.Rest418] : Common;
            var kind = kinds[random.Next(kinds.Length)];
            var (count, duration) = kind switch
            {
                StormFaultKind.Skip => (0, TimeSpan.FromSeconds(Between(random, 0.5, 2))),
                StormFaultKind.Stall => (0, TimeSpan.FromSeconds(Between(random, 1, 3))),
                StormFaultKind.Duplicate or StormFaultKind.Reorder or StormFaultKind.Malformed => (random.Next(1, 6), TimeSpan.Zero),
                StormFaultKind.Rest429 or StormFaultKind.Rest418 or StormFaultKind.RestThrottle => (random.Next(1, 4), TimeSpan.Zero),
                _ => (0, TimeSpan.Zero),
            };
            faults.Add(new StormFault(TimeSpan.FromSeconds(Math.Round(at, 1)), exchange, kind, count, TimeSpan.FromSeconds(Math.Round(duration.TotalSeconds, 1))));
        }

        return faults;
    }

    private static double Between(Random random, double low, double high) => low + (random.NextDouble() * (high - low));
}
