using K2.Core.Exchanges.Kraken;
using K2.Core.Trades;
using static K2.Core.Tests.Exchanges.Kraken.KrakenFixtures;

namespace K2.Core.Tests.Exchanges.Kraken;

/// <summary>
/// The hot path allocates nothing: an update frame's trades go into the caller's list with no string, boxed value or
/// buffer per frame or per trade (rejections, rare by nature, may allocate their texts).
/// </summary>
public sealed class KrakenV2TradeParserAllocationTests
{
    private const int Frames = 1_000;

    [Fact]
    public void Parsing_update_frames_allocates_nothing()
    {
        var frame = Load("ws_trade_update_batch.json");
        var receivedAt = At("2026-09-25T17:48:27Z");
        var trades = new List<Trade>(Frames * 3);
        var rejections = new List<TradeRejection>();
        KrakenV2TradeParser.Parse(frame, receivedAt, Registry, trades, rejections); // warm up
        trades.Clear();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Frames; i++)
        {
            KrakenV2TradeParser.Parse(frame, receivedAt, Registry, trades, rejections);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        trades.Count.ShouldBe(Frames * 3);
        rejections.ShouldBeEmpty();
        allocated.ShouldBe(0);
    }

    [Fact]
    public void Heartbeats_allocate_nothing()
    {
        var frame = Load("ws_heartbeat.json");
        var receivedAt = At("2026-09-25T17:48:27Z");
        KrakenV2TradeParser.Parse(frame, receivedAt, Registry, [], []);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Frames; i++)
        {
            KrakenV2TradeParser.Parse(frame, receivedAt, Registry, [], []);
        }

        // The two empty lists per call are the test's own: 2 × 32 bytes each.
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThanOrEqualTo(Frames * 64L);
    }
}
