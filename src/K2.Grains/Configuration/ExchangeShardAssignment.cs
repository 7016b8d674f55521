using K2.Core;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Instruments;
using K2.Storage.Hosting;

namespace K2.Grains.Configuration;

/// <summary>
/// Deals an exchange's instruments into shards, the same way on every silo for the same settings and registry. What is
/// dealt is a subscription: one instrument, except that Coinbase's <c>X-USD</c> and <c>X-USDC</c> arrive as one
/// product (<c>X-USD</c>) and so always share a shard. With a count, the subscriptions go round-robin in
/// <c>instruments.yaml</c> order (with 3 shards the 1st, 4th, 7th… to shard 0): shard sizes differ by at most one, and
/// the pairs listed first, usually the busiest, land on different shards. With explicit groups, each group is a shard.
/// </summary>
public static class ExchangeShardAssignment
{
    /// <summary>The exchange's shards; throws if <see cref="Check"/> finds the settings wrong (validation refuses them first).</summary>
    public static IReadOnlyList<ExchangeShard> Assign(Exchange exchange, ShardSettings settings, IReadOnlyList<Instrument> instruments)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(instruments);
        var problems = new SectionProblems(SectionOf(exchange));
        Check(problems, exchange, settings, instruments);
        if (problems.All.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, problems.All));
        }

        if (settings.ShardSymbols.Count > 0)
        {
            var bySymbol = instruments.ToDictionary(i => i.Symbol, StringComparer.OrdinalIgnoreCase);
            return
            [
                .. settings.ShardSymbols.Select((group, index) => new ExchangeShard(
                    exchange, index, settings.ShardSymbols.Count, [.. Symbols(group).Select(symbol => bySymbol[symbol])])),
            ];
        }

        var count = settings.Shards ?? 1;
        var subscriptions = Subscriptions(exchange, instruments);
        return
        [
            .. Enumerable.Range(0, count).Select(index => new ExchangeShard(
                exchange, index, count, [.. subscriptions.Where((_, position) => position % count == index).SelectMany(s => s)])),
        ];
    }

    /// <summary>Reports what is wrong with an exchange's shard settings against the registry, keys as an operator sets them.</summary>
    public static void Check(SectionProblems problems, Exchange exchange, ShardSettings settings, IReadOnlyList<Instrument> instruments)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(instruments);
        var groups = settings.ShardSymbols;
        if (settings.Shards is { } shards)
        {
            var subscriptions = Subscriptions(exchange, instruments).Count;
            if (groups.Count > 0 && shards != groups.Count)
            {
                problems.Add(nameof(settings.Shards), $"({shards}) does not match the {groups.Count} groups of {nameof(settings.ShardSymbols)}; set only one of them.");
            }
            else if (groups.Count == 0)
            {
                problems.Between(nameof(settings.Shards), shards, 1, Math.Max(1, subscriptions),
                    $"since every shard needs at least one of the {subscriptions} {exchange.ToName()} subscriptions in the instrument registry");
            }
        }

        if (groups.Count > 0)
        {
            CheckGroups(problems, exchange, groups, instruments);
        }
    }

    /// <summary>The configuration section of an exchange's settings (<c>K2:Exchanges:Binance</c>).</summary>
    public static string SectionOf(Exchange exchange) => $"{ExchangesOptions.Section}:{exchange}";

    private static void CheckGroups(SectionProblems problems, Exchange exchange, IReadOnlyList<string> groups, IReadOnlyList<Instrument> instruments)
    {
        var key = nameof(ShardSettings.ShardSymbols);
        var bySymbol = instruments.ToDictionary(i => i.Symbol, StringComparer.OrdinalIgnoreCase);
        var groupOf = new Dictionary<Instrument, int>();
        for (var index = 0; index < groups.Count; index++)
        {
            var symbols = Symbols(groups[index]);
            if (symbols.Count == 0)
            {
                problems.Add($"{key}:{index}", "names no symbol.");
            }

            foreach (var symbol in symbols)
            {
                if (!bySymbol.TryGetValue(symbol, out var instrument))
                {
                    problems.Add($"{key}:{index}", $"names {symbol}, which the instrument registry does not list for {exchange.ToName()}.");
                }
                else if (groupOf.TryGetValue(instrument, out var earlier))
                {
                    problems.Add($"{key}:{index}", $"names {instrument.Symbol} again (already in {key}:{earlier}).");
                }
                else
                {
                    groupOf[instrument] = index;
                }
            }
        }

        var missing = instruments.Where(i => !groupOf.ContainsKey(i)).Select(i => i.Symbol).ToList();
        if (missing.Count > 0)
        {
            problems.Add(key, $"leaves out {string.Join(", ", missing)}: every {exchange.ToName()} instrument of the registry must be in exactly one group.");
        }

        foreach (var shared in Subscriptions(exchange, instruments).Where(s => s.Count > 1))
        {
            if (shared.Where(groupOf.ContainsKey).Select(i => groupOf[i]).Distinct().Count() > 1)
            {
                problems.Add(key, $"puts {string.Join(" and ", shared.Select(i => i.Symbol))} in different groups; " +
                    $"{exchange} sends them as one product ({SubscriptionOf(exchange, shared[0])}), so they must share a shard.");
            }
        }
    }

    /// <summary>The exchange's instruments grouped by what a session subscribes to, in registry order of first appearance.</summary>
    private static List<List<Instrument>> Subscriptions(Exchange exchange, IReadOnlyList<Instrument> instruments) =>
        [.. instruments.GroupBy(i => SubscriptionOf(exchange, i), StringComparer.Ordinal).Select(g => g.ToList())];

    private static string SubscriptionOf(Exchange exchange, Instrument instrument) =>
        exchange == Exchange.Coinbase ? CoinbaseSymbols.MarketDataProductId(instrument) : instrument.ExchangeSymbol;

    private static List<string> Symbols(string group) =>
        [.. group.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
}
