using K2.Testing;

namespace K2.Grains.Tests.Exchanges.Shards;

/// <summary>
/// One silo runs both Binance shards; a second joins, and the keepers move one shard to it (no silo may hold more
/// than ceil(2 / 2) = 1). The move is a planned handover, and is logged as one, not as a shard that was lost.
/// </summary>
public sealed class ShardHandOverTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly string[] Shards = ["binance/0", "binance/1"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_shard_moved_to_a_joining_silo_is_logged_as_handed_over_not_as_lost()
    {
        var shards = new ScriptedShardCluster();
        await using var cluster = shards.Build(1, binanceShards: 2);
        await cluster.DeployAsync(Ct);
        var first = cluster.Silos.Single();
        Shards.ShouldAllBe(shard => shards.Runs(first, shard));

        var joined = await cluster.StartAdditionalSiloAsync();
        await Eventually.TrueAsync(
            () => Shards.Count(shard => shards.Runs(joined, shard)) == 1 && Shards.Count(shard => shards.Runs(first, shard)) == 1,
            Patience, "one shard did not move to the joining silo", Ct);

        var moved = Shards.Single(shard => shards.Runs(joined, shard));
        shards.Logged(GrainsEventIds.ExchangeShardHandedOver).ShouldBe([$"Exchange shard {moved} handed over; it belongs on silo {joined.SiloAddress.Endpoint} now"]);
        await Eventually.TrueAsync(() => shards.Logged(GrainsEventIds.ExchangeShardStartedAfterHandOver).Length > 0, Patience, "the arrival was not logged", Ct);
        shards.Logged(GrainsEventIds.ExchangeShardStartedAfterHandOver).ShouldBe([$"Exchange shard {moved} runs again on its new silo after its handover"]);
        shards.Logged(GrainsEventIds.ExchangeShardNotRunning).ShouldBeEmpty("a planned handover is not a lost shard");
    }
}
