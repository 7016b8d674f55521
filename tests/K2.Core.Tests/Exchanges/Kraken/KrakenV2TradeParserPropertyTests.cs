using FsCheck;
using FsCheck.Fluent;
using K2.Core.Exchanges.Kraken;
using K2.Core.Trades;
using Microsoft.FSharp.Core;
using static K2.Core.Tests.Exchanges.Kraken.KrakenFixtures;

namespace K2.Core.Tests.Exchanges.Kraken;

/// <summary>
/// Whatever bytes arrive, the parsers classify them and never throw; whatever they accept as a trade passes the
/// checks a well-formed trade must pass; and what they add to the lists agrees with what they report.
/// </summary>
public sealed class KrakenV2TradeParserPropertyTests
{
    /// <summary>Fixed so a failure in CI reproduces locally; FsCheck prints the shrunk counterexample.</summary>
    private static readonly Config Runs = Config.QuickThrowOnFailure
        .WithMaxTest(5_000)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20260925UL, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)));

    /// <summary>Bytes that matter to JSON, numbers, timestamps and UTF-8, so mutations hit structure more often than chance would.</summary>
    private static readonly byte[] InterestingBytes =
        [.. "{}[]:,\"\\-+.eE0123456789 tfnuTZ/"u8, 0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF];

    private static readonly string[] FixtureNames =
    [
        "ws_trade_snapshot.json", "ws_trade_update.json", "ws_trade_update_batch.json", "ws_trade_update_data_first.json",
        "ws_subscribe_result.json", "ws_subscribe_result_unsupported_pair.json", "ws_pong.json", "ws_status.json",
        "ws_heartbeat.json", "ws_error_exceeded_msg_rate.json", "http_trades.json",
    ];

    private static readonly byte[][] Frames = [.. FixtureNames.Select(Load)];

    /// <summary>Receipt near each fixture's own trade times, so mutated digits are judged against a realistic clock.</summary>
    private static UnixMicros ReceiptFor(int frameIndex, long offsetMs) => new(offsetMs * 1_000 + frameIndex switch
    {
        2 => At("2026-09-25T17:48:27Z").Value,
        10 => 1_688_671_969_993_150,
        _ => At("2023-09-25T09:21:10.428400Z").Value,
    });

    private enum MutationKind
    {
        Replace,
        Insert,
        Delete,
        Truncate,
    }

    private readonly record struct Mutation(MutationKind Kind, int Position, byte Value);

    private sealed record FuzzCase(int FrameIndex, Mutation[] Mutations, long ReceiptOffsetMs)
    {
        public override string ToString() =>
            $"{FixtureNames[FrameIndex]} receipt+{ReceiptOffsetMs}ms [{string.Join(", ", Mutations.Select(m => $"{m.Kind}@{m.Position}:0x{m.Value:X2}"))}]";
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
            from count in Gen.Choose(1, 4)
            from mutations in Gen.ArrayOf(mutation, count)
            from offset in Gen.Elements(0L, 1L, 60_000L, -600_000L)
            select new FuzzCase(frame, mutations, offset);
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

    private static bool IsValidTrade(Trade trade, UnixMicros receivedAt) =>
        trade.Instrument is { Exchange: Exchange.Kraken }
        && trade.ReceiptTime == receivedAt
        && trade.TradeId.IsNumeric && trade.TradeId.Number >= 0
        && trade.Side is TradeSide.Buy or TradeSide.Sell
        && TradeValidator.CheckPrice(trade.Price) is null
        && TradeValidator.CheckQuantity(trade.Quantity) is null
        && TradeValidator.CheckExchangeTime(trade.ExchangeTime, receivedAt) is null;

    /// <summary>What any WebSocket parse must satisfy, whatever the input was.</summary>
    private static bool IsCoherent(KrakenV2Frame parsed, List<Trade> trades, List<TradeRejection> rejections, UnixMicros receivedAt) =>
        trades.Count == parsed.TradeCount
        && rejections.Count == parsed.RejectedCount
        && trades.All(t => IsValidTrade(t, receivedAt))
        && rejections.All(r => !string.IsNullOrEmpty(r.Detail) && Enum.IsDefined(r.Reason))
        && parsed.Kind switch
        {
            KrakenV2FrameKind.Rejected => trades.Count == 0 && rejections.Count == 1 && !string.IsNullOrEmpty(parsed.Detail),
            KrakenV2FrameKind.Trades => true,
            _ => trades.Count == 0 && rejections.Count == 0,
        };

    [Fact]
    public void Random_mutations_of_valid_frames_never_throw_and_never_yield_an_invalid_trade()
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var property = Prop.ForAll(Cases(), c =>
        {
            var frame = Apply(Frames[c.FrameIndex], c.Mutations);
            var receivedAt = ReceiptFor(c.FrameIndex, c.ReceiptOffsetMs);
            List<Trade> trades = [];
            List<TradeRejection> rejections = [];

            if (FixtureNames[c.FrameIndex].StartsWith("http_", StringComparison.Ordinal))
            {
                var page = KrakenRestTradesParser.Parse(frame, BtcUsd, receivedAt, trades, rejections);
                seen.AddOrUpdate($"rest {page.Outcome}", 1, (_, n) => n + 1);
                return trades.Count == page.TradeCount && rejections.Count == page.RejectedCount
                    && trades.All(t => IsValidTrade(t, receivedAt))
                    && (page.Outcome == KrakenRestOutcome.Trades || (trades.Count == 0 && rejections.Count == 0));
            }

            var parsed = KrakenV2TradeParser.Parse(frame, receivedAt, Registry, trades, rejections);
            seen.AddOrUpdate(parsed.Kind.ToString(), 1, (_, n) => n + 1);
            if (trades.Count > 0)
            {
                seen.AddOrUpdate("with trades", 1, (_, n) => n + 1);
            }

            if (parsed.Kind == KrakenV2FrameKind.Trades && rejections.Count > 0)
            {
                seen.AddOrUpdate("with trade rejections", 1, (_, n) => n + 1);
            }

            return IsCoherent(parsed, trades, rejections, receivedAt);
        });

        Check.One(Runs, property);

        // The mutations must reach every outcome, or the property held only because every input was rejected.
        seen.Keys.ShouldContain("with trades");
        seen.Keys.ShouldContain("with trade rejections");
        seen.Keys.ShouldContain(nameof(KrakenV2FrameKind.Rejected));
        seen.Keys.ShouldContain($"rest {KrakenRestOutcome.Trades}");
        seen.Keys.ShouldContain($"rest {KrakenRestOutcome.Malformed}");
    }

    [Fact]
    public void The_unmutated_fixtures_satisfy_the_property()
    {
        // Guards the property itself: if it rejected good input, the mutation test would prove nothing.
        for (var i = 0; i < Frames.Length - 1; i++)
        {
            List<Trade> trades = [];
            List<TradeRejection> rejections = [];
            var receivedAt = ReceiptFor(i, 0);

            var parsed = KrakenV2TradeParser.Parse(Frames[i], receivedAt, Registry, trades, rejections);

            IsCoherent(parsed, trades, rejections, receivedAt).ShouldBeTrue(FixtureNames[i]);
            rejections.ShouldBeEmpty(FixtureNames[i]);
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        // A plain seeded loop beside FsCheck: whole frames of noise, including noise that starts like JSON.
        var random = new Random(925);
        var receivedAt = At("2026-09-25T17:48:27Z");
        for (var i = 0; i < 20_000; i++)
        {
            var frame = new byte[random.Next(0, 160)];
            random.NextBytes(frame);
            if (i % 2 == 0 && frame.Length > 0)
            {
                frame[0] = (byte)'{';
            }

            List<Trade> trades = [];
            List<TradeRejection> rejections = [];
            var parsed = KrakenV2TradeParser.Parse(frame, receivedAt, Registry, trades, rejections);
            var page = KrakenRestTradesParser.Parse(frame, BtcUsd, receivedAt, [], []);

            IsCoherent(parsed, trades, rejections, receivedAt).ShouldBeTrue(Convert.ToHexString(frame));
            page.Outcome.ShouldBe(KrakenRestOutcome.Malformed, Convert.ToHexString(frame));
        }
    }
}
