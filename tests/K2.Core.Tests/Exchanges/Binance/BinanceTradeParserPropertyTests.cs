using FsCheck;
using FsCheck.Fluent;
using K2.Core.Exchanges.Binance;
using K2.Core.Trades;
using Microsoft.FSharp.Core;

namespace K2.Core.Tests.Exchanges.Binance;

/// <summary>
/// Whatever bytes arrive, the parser classifies them and never throws; and whatever it accepts as a trade passes
/// the same checks a well-formed trade must pass.
/// </summary>
public sealed class BinanceTradeParserPropertyTests
{
    /// <summary>Fixed so a failure in CI reproduces locally; FsCheck prints the shrunk counterexample.</summary>
    private static readonly Config Runs = Config.QuickThrowOnFailure
        .WithMaxTest(5_000)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20261122UL, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)));

    /// <summary>Bytes that matter to JSON, numbers and UTF-8, so mutations hit structure more often than chance would.</summary>
    private static readonly byte[] InterestingBytes =
        [.. "{}[]:,\"\\-+.eE0123456789 tfnu"u8, 0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF];

    private static readonly string[] FixtureNames =
    [
        "ws_trade.json", "ws_trade_with_order_ids.json", "ws_trade_btcusdt.json", "ws_trade_combined.json",
        "ws_trade_combined_microseconds.json", "ws_agg_trade.json", "ws_subscribe_result.json", "ws_error_object.json",
        "ws_error_code.json", "ws_server_shutdown_combined.json",
    ];

    private static readonly byte[][] Frames = [.. FixtureNames.Select(BinanceFixtures.Load)];

    private enum MutationKind
    {
        Replace,
        Insert,
        Delete,
        Truncate,
    }

    private readonly record struct Mutation(MutationKind Kind, int Position, byte Value);

    private sealed record FuzzCase(int FrameIndex, Mutation[] Mutations, BinanceTimeUnit Unit, long ReceiptOffsetMs)
    {
        public override string ToString() =>
            $"{FixtureNames[FrameIndex]} {Unit} receipt+{ReceiptOffsetMs}ms [{string.Join(", ", Mutations.Select(m => $"{m.Kind}@{m.Position}:0x{m.Value:X2}"))}]";
    }

    private static Arbitrary<FuzzCase> Cases()
    {
        var value = Gen.Frequency((1, Gen.Choose(0, 255).Select(i => (byte)i)), (1, Gen.Elements(InterestingBytes)));
        var mutation =
            from kind in Gen.Frequency((6, Gen.Constant(MutationKind.Replace)), (3, Gen.Constant(MutationKind.Insert)),
                (3, Gen.Constant(MutationKind.Delete)), (1, Gen.Constant(MutationKind.Truncate)))
            from position in Gen.Choose(0, 1_000)
            from b in value
            select new Mutation(kind, position, b);
        var cases =
            from frame in Gen.Choose(0, Frames.Length - 1)
            from count in Gen.Choose(1, 6)
            from mutations in Gen.ArrayOf(mutation, count)
            from unit in Gen.Elements(BinanceTimeUnit.Millisecond, BinanceTimeUnit.Microsecond)
            from offset in Gen.Elements(0L, 1L, 60_000L, -600_000L)
            select new FuzzCase(frame, mutations, unit, offset);
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

    /// <summary>What any parse result must satisfy, whatever the input was.</summary>
    private static bool IsCoherent(BinanceFrame parsed, UnixMicros receivedAt) => parsed.Kind switch
    {
        BinanceFrameKind.Trade =>
            parsed.Trade.Instrument is { Exchange: Exchange.Binance }
            && parsed.Trade.ReceiptTime == receivedAt
            && parsed.Trade.TradeId.IsNumeric && parsed.Trade.TradeId.Number >= 0
            && parsed.Trade.Side is TradeSide.Buy or TradeSide.Sell
            && TradeValidator.CheckPrice(parsed.Trade.Price) is null
            && TradeValidator.CheckQuantity(parsed.Trade.Quantity) is null
            && TradeValidator.CheckExchangeTime(parsed.Trade.ExchangeTime, receivedAt) is null,
        BinanceFrameKind.Rejected => !string.IsNullOrEmpty(parsed.Detail) && parsed.Trade == default,
        BinanceFrameKind.RequestResult or BinanceFrameKind.RequestError or BinanceFrameKind.ServerShutdown or BinanceFrameKind.Ignored =>
            parsed.Trade == default,
        _ => false,
    };

    [Fact]
    public void Random_mutations_of_valid_frames_never_throw_and_never_yield_an_invalid_trade()
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<BinanceFrameKind, int>();
        var property = Prop.ForAll(Cases(), c =>
        {
            var frame = Apply(Frames[c.FrameIndex], c.Mutations);
            // Receipt near the fixtures' own trade times, so mutated digits are judged against a realistic clock.
            var receivedAt = c.FrameIndex switch
            {
                0 or 5 => UnixMicros.FromMilliseconds(1_672_515_782_136 + c.ReceiptOffsetMs),
                1 => UnixMicros.FromMilliseconds(123_456_785 + c.ReceiptOffsetMs),
                _ => UnixMicros.FromMilliseconds(1_763_769_600_123 + c.ReceiptOffsetMs),
            };

            var parsed = BinanceTradeParser.Parse(frame, receivedAt, c.Unit, BinanceTradeParserTests.Registry);
            seen.AddOrUpdate(parsed.Kind, 1, (_, n) => n + 1);

            return IsCoherent(parsed, receivedAt);
        });

        Check.One(Runs, property);

        // The mutations must reach both outcomes, or the property held only because every input was rejected.
        seen.Keys.ShouldContain(BinanceFrameKind.Trade);
        seen.Keys.ShouldContain(BinanceFrameKind.Rejected);
    }

    [Fact]
    public void A_valid_trade_satisfies_the_property()
    {
        // Guards the property itself: if it rejected good input, the mutation test would prove nothing.
        var receivedAt = UnixMicros.FromMilliseconds(1_763_769_600_123);

        var parsed = BinanceTradeParser.Parse(Frames[2], receivedAt, BinanceTimeUnit.Millisecond, BinanceTradeParserTests.Registry);

        parsed.Kind.ShouldBe(BinanceFrameKind.Trade, parsed.Detail);
        IsCoherent(parsed, receivedAt).ShouldBeTrue();
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        // A plain seeded loop beside FsCheck: whole frames of noise, including noise that starts like JSON.
        var random = new Random(1122);
        for (var i = 0; i < 20_000; i++)
        {
            var frame = new byte[random.Next(0, 160)];
            random.NextBytes(frame);
            if (i % 2 == 0 && frame.Length > 0)
            {
                frame[0] = (byte)'{';
            }

            var parsed = BinanceTradeParser.Parse(frame, UnixMicros.FromMilliseconds(1_763_769_600_123), BinanceTimeUnit.Millisecond, BinanceTradeParserTests.Registry);

            IsCoherent(parsed, UnixMicros.FromMilliseconds(1_763_769_600_123)).ShouldBeTrue(Convert.ToHexString(frame));
        }
    }
}
