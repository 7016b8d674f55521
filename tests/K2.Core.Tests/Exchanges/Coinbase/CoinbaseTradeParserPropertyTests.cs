using FsCheck;
using FsCheck.Fluent;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Trades;
using Microsoft.FSharp.Core;

namespace K2.Core.Tests.Exchanges.Coinbase;

/// <summary>
/// Whatever bytes arrive, the parser classifies them and never throws; whatever it accepts as a trade passes the checks
/// a well-formed trade must pass; and what it reports agrees with what it appended.
/// </summary>
public sealed class CoinbaseTradeParserPropertyTests
{
    /// <summary>Fixed so a failure in CI reproduces locally; FsCheck prints the shrunk counterexample.</summary>
    private static readonly Config Runs = Config.QuickThrowOnFailure
        .WithMaxTest(5_000)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20261122UL, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)));

    /// <summary>Bytes that matter to JSON, RFC 3339 times, numbers and UTF-8, so mutations hit structure more often.</summary>
    private static readonly byte[] InterestingBytes =
        [.. "{}[]:,\"\\-+.eE0123456789 tfnuTZ"u8, 0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF];

    private static readonly string[] FixtureNames =
    [
        "ws_market_trades_snapshot.json", "ws_market_trades_update.json", "ws_market_trades_update_multi.json", "ws_heartbeats.json",
        "ws_heartbeats_numeric_counter.json", "ws_subscriptions.json", "ws_subscriptions_heartbeats.json", "ws_error_with_reason.json",
    ];

    private static readonly byte[][] Frames = [.. FixtureNames.Select(CoinbaseFixtures.Load)];

    /// <summary>Receipt just after each fixture's trades, so mutated digits are judged against a realistic clock.</summary>
    private static readonly UnixMicros[] ReceiptTimes =
    [
        new(1_565_815_347_265_000 + 1_000), new(1_795_342_500_600_000), new(1_795_342_500_600_000), new(1_687_552_286_122_969),
        new(1_795_342_501_000_000), new(1_775_572_200_000_000), new(1_795_342_500_600_000), new(1_795_342_500_600_000),
    ];

    private enum MutationKind
    {
        Replace,
        Insert,
        Delete,
        Truncate,
    }

    private readonly record struct Mutation(MutationKind Kind, int Position, byte Value);

    private sealed record FuzzCase(int FrameIndex, Mutation[] Mutations, CoinbaseSideConvention Sides, long ReceiptOffsetMs)
    {
        public override string ToString() =>
            $"{FixtureNames[FrameIndex]} {Sides} receipt+{ReceiptOffsetMs}ms [{string.Join(", ", Mutations.Select(m => $"{m.Kind}@{m.Position}:0x{m.Value:X2}"))}]";
    }

    private static Arbitrary<FuzzCase> Cases()
    {
        var value = Gen.Frequency((1, Gen.Choose(0, 255).Select(i => (byte)i)), (1, Gen.Elements(InterestingBytes)));
        var mutation =
            from kind in Gen.Frequency((6, Gen.Constant(MutationKind.Replace)), (3, Gen.Constant(MutationKind.Insert)),
                (3, Gen.Constant(MutationKind.Delete)), (1, Gen.Constant(MutationKind.Truncate)))
            from position in Gen.Choose(0, 2_000)
            from b in value
            select new Mutation(kind, position, b);
        var cases =
            from frame in Gen.Choose(0, Frames.Length - 1)
            from count in Gen.Choose(1, 6)
            from mutations in Gen.ArrayOf(mutation, count)
            from sides in Gen.Elements(CoinbaseSideConvention.Taker, CoinbaseSideConvention.Maker)
            from offset in Gen.Elements(0L, 1L, 60_000L, -600_000L)
            select new FuzzCase(frame, mutations, sides, offset);
        return cases.ToArbitrary();
    }

    private static byte[] Apply(byte[] frame, IEnumerable<Mutation> mutations)
    {
        var bytes = frame.ToList();
        foreach (var m in mutations)
        {
            var at = bytes.Count == 0 ? 0 : m.Position % bytes.Count;
            switch (m.Kind)
            {
                case MutationKind.Replace when bytes.Count > 0: bytes[at] = m.Value; break;
                case MutationKind.Insert: bytes.Insert(at, m.Value); break;
                case MutationKind.Delete when bytes.Count > 0: bytes.RemoveAt(at); break;
                case MutationKind.Truncate: bytes.RemoveRange(at, bytes.Count - at); break;
                default: break;
            }
        }

        return [.. bytes];
    }

    /// <summary>What any parse must satisfy, whatever the input: it is judged by what it appended to empty lists.</summary>
    private static bool IsCoherent(CoinbaseFrame parsed, UnixMicros receivedAt, List<Trade> trades, List<TradeRejection> rejections) =>
        trades.All(t =>
            t.Instrument is { Exchange: Exchange.Coinbase }
            && t.ReceiptTime == receivedAt
            && t.Side is TradeSide.Buy or TradeSide.Sell
            && !string.IsNullOrEmpty(t.TradeId.ToString())
            && TradeValidator.CheckPrice(t.Price) is null
            && TradeValidator.CheckQuantity(t.Quantity) is null
            && TradeValidator.CheckExchangeTime(t.ExchangeTime, receivedAt) is null)
        && rejections.All(r => !string.IsNullOrEmpty(r.Detail) && Enum.IsDefined(r.Reason))
        && parsed.Kind switch
        {
            CoinbaseFrameKind.MarketTrades => parsed.TradeCount == trades.Count && parsed.RejectedTradeCount == rejections.Count,
            CoinbaseFrameKind.Rejected => trades.Count == 0 && rejections.Count == 1 && parsed.RejectedTradeCount == 1
                && !string.IsNullOrEmpty(parsed.Detail) && rejections[0].Reason == parsed.RejectReason,
            CoinbaseFrameKind.Heartbeat => parsed.HeartbeatCounter >= 0 && trades.Count == 0 && rejections.Count == 0,
            CoinbaseFrameKind.Subscriptions => parsed.Subscriptions is not null && trades.Count == 0 && rejections.Count == 0,
            CoinbaseFrameKind.Error => parsed.ErrorMessage is not null && trades.Count == 0 && rejections.Count == 0,
            CoinbaseFrameKind.Ignored => trades.Count == 0 && rejections.Count == 0,
            _ => false,
        };

    [Fact]
    public void Random_mutations_of_valid_frames_never_throw_and_never_yield_an_invalid_trade()
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<CoinbaseFrameKind, int>();
        var property = Prop.ForAll(Cases(), c =>
        {
            var frame = Apply(Frames[c.FrameIndex], c.Mutations);
            var receivedAt = new UnixMicros(ReceiptTimes[c.FrameIndex].Value + (c.ReceiptOffsetMs * 1_000));
            List<Trade> trades = [];
            List<TradeRejection> rejections = [];

            var parsed = CoinbaseTradeParser.Parse(frame, receivedAt, CoinbaseFixtures.Registry, c.Sides, trades, rejections);
            seen.AddOrUpdate(parsed.Kind, 1, (_, n) => n + 1);

            return IsCoherent(parsed, receivedAt, trades, rejections);
        });

        Check.One(Runs, property);

        // The mutations must reach the interesting outcomes, or the property held only because everything was rejected.
        seen.Keys.ShouldContain(CoinbaseFrameKind.MarketTrades);
        seen.Keys.ShouldContain(CoinbaseFrameKind.Heartbeat);
        seen.Keys.ShouldContain(CoinbaseFrameKind.Rejected);
    }

    [Fact]
    public void Every_fixture_unmutated_satisfies_the_property()
    {
        // Guards the property itself: if it refused good input, the mutation test would prove nothing.
        for (var i = 0; i < Frames.Length; i++)
        {
            List<Trade> trades = [];
            List<TradeRejection> rejections = [];

            var parsed = CoinbaseTradeParser.Parse(Frames[i], ReceiptTimes[i], CoinbaseFixtures.Registry, CoinbaseSideConvention.Taker, trades, rejections);

            parsed.Kind.ShouldNotBe(CoinbaseFrameKind.Rejected, FixtureNames[i]);
            rejections.ShouldBeEmpty(FixtureNames[i]);
            IsCoherent(parsed, ReceiptTimes[i], trades, rejections).ShouldBeTrue(FixtureNames[i]);
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        // A plain seeded loop beside FsCheck: whole frames of noise, including noise that starts like JSON.
        var random = new Random(1122);
        var receivedAt = new UnixMicros(1_795_342_500_600_000);
        for (var i = 0; i < 20_000; i++)
        {
            var frame = new byte[random.Next(0, 200)];
            random.NextBytes(frame);
            if (i % 2 == 0 && frame.Length > 0)
            {
                frame[0] = (byte)'{';
            }

            List<Trade> trades = [];
            List<TradeRejection> rejections = [];
            var parsed = CoinbaseTradeParser.Parse(frame, receivedAt, CoinbaseFixtures.Registry, CoinbaseSideConvention.Maker, trades, rejections);

            IsCoherent(parsed, receivedAt, trades, rejections).ShouldBeTrue(Convert.ToHexString(frame));
        }
    }

    [Fact]
    public void Random_mutations_of_a_ticker_page_never_throw_and_never_yield_an_invalid_trade()
    {
        var body = CoinbaseFixtures.Load("http_ticker_btc_usd.json");
        var receivedAt = new UnixMicros(1_795_342_500_600_000);
        var accepted = 0;
        var property = Prop.ForAll(Cases(), c =>
        {
            List<Trade> trades = [];
            List<TradeRejection> rejections = [];
            var ok = CoinbaseRestTradesParser.TryParse(Apply(body, c.Mutations), CoinbaseFixtures.BtcUsd, c.Sides, receivedAt, trades, rejections);
            accepted += ok && trades.Count > 0 ? 1 : 0;

            return (ok || (trades.Count == 0 && rejections.Count == 0))
                && trades.All(t => t.Instrument == CoinbaseFixtures.BtcUsd && TradeValidator.CheckPrice(t.Price) is null
                    && TradeValidator.CheckExchangeTime(t.ExchangeTime, receivedAt) is null);
        });

        Check.One(Runs.WithMaxTest(2_000), property);
        accepted.ShouldBeGreaterThan(0);
    }
}
