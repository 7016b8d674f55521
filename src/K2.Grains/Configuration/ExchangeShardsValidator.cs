using K2.Core;
using K2.Core.Instruments;
using K2.Storage.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Grains.Configuration;

/// <summary>
/// Refuses shard settings that do not fit the instrument registry (a count above the subscriptions to deal, groups
/// that miss, repeat or invent symbols) or that would break an exchange's limits once split: Binance's streams per
/// connection in any one shard, and Coinbase's messages per IP, which all its shards on one silo share.
/// </summary>
internal sealed class ExchangeShardsValidator(InstrumentRegistry registry) : IValidateOptions<ExchangesOptions>
{
    public ValidateOptionsResult Validate(string? name, ExchangesOptions options)
    {
        var all = new List<string>();
        foreach (var exchange in ExchangeNames.All)
        {
            // A disabled exchange is still checked: turning it on later must not be the moment a typo surfaces.
            var problems = new SectionProblems(ExchangeShardAssignment.SectionOf(exchange));
            var settings = options.Sharding(exchange);
            var instruments = registry.ForExchange(exchange);
            ExchangeShardAssignment.Check(problems, exchange, settings, instruments);
            if (problems.All.Count == 0)
            {
                CheckLimits(problems, exchange, options, ExchangeShardAssignment.Assign(exchange, settings, instruments));
            }

            all.AddRange(problems.All);
        }

        return all.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(all);
    }

    private static void CheckLimits(SectionProblems problems, Exchange exchange, ExchangesOptions options, IReadOnlyList<ExchangeShard> shards)
    {
        if (exchange == Exchange.Binance)
        {
            CheckBinanceStreams(problems, shards);
        }
        else if (exchange == Exchange.Coinbase)
        {
            CheckCoinbaseMessageRate(problems, options.Coinbase, shards.Count);
        }
    }

    private static void CheckBinanceStreams(SectionProblems problems, IReadOnlyList<ExchangeShard> shards)
    {
        const int limit = ExchangesOptionsValidator.BinanceMaxStreamsPerConnection;
        if (shards.MaxBy(s => s.Instruments.Count) is { } largest && largest.Instruments.Count > limit)
        {
            problems.Add(nameof(BinanceOptions.Shards), $"gives shard {largest.Key} {largest.Instruments.Count} streams, above Binance's {limit} per connection: use more shards.");
        }
    }

    private static void CheckCoinbaseMessageRate(SectionProblems problems, CoinbaseOptions coinbase, int shards)
    {
        const int limit = ExchangesOptionsValidator.CoinbaseMaxMessagesPerSecond;
        var perShard = coinbase.MaxOutgoingMessagesPerSecond;
        if (perShard is < 1 or > limit || perShard * shards <= limit)
        {
            return; // within the limit, or out of range on its own, which ExchangesOptionsValidator reports
        }

        if (shards > limit)
        {
            problems.Add(nameof(coinbase.Shards), $"({shards}) is more than Coinbase's {limit} messages a second per IP allow, at one message a second per shard.");
        }
        else
        {
            problems.Add(nameof(coinbase.MaxOutgoingMessagesPerSecond),
                $"({perShard}) times {shards} shards is {perShard * shards} messages a second, above Coinbase's {limit} per IP, which the shards " +
                $"of one silo share: set it to at most {limit / shards}.");
        }
    }
}
