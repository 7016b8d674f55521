using K2.Grains.Placement;

namespace K2.Grains.Tests.Placement;

public sealed class ShardAssignmentTests
{
    private static readonly string[] Shards = ["binance/0", "binance/1", "kraken/0", "kraken/1", "coinbase/0", "coinbase/1"];

    private static Dictionary<string, int> Loads(IReadOnlyDictionary<string, string> assignment) =>
        assignment.GroupBy(a => a.Value).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void Every_shard_gets_a_silo_and_no_silo_more_than_its_share()
    {
        for (var silos = 1; silos <= 7; silos++)
        {
            var names = Enumerable.Range(1, silos).Select(i => $"10.0.0.{i}:11111").ToList();

            var assignment = ShardAssignment.Assign(Shards, names);

            assignment.Keys.Order().ShouldBe(Shards.Order());
            assignment.Values.ShouldAllBe(silo => names.Contains(silo));
            Loads(assignment).Values.Max().ShouldBe((Shards.Length + silos - 1) / silos, $"{silos} silos");
        }
    }

    [Fact]
    public void The_answer_depends_only_on_the_shards_and_silos_not_their_order()
    {
        var silos = new[] { "10.0.0.1:11111", "10.0.0.2:11111", "10.0.0.3:11111" };

        var first = ShardAssignment.Assign(Shards, silos);
        var second = ShardAssignment.Assign(Shards.Reverse(), [.. silos.Reverse()]);

        second.ShouldBe(first);
    }

    [Fact]
    public void Three_silos_hold_two_shards_each()
    {
        var assignment = ShardAssignment.Assign(Shards, ["10.0.0.1:11111", "10.0.0.2:11111", "10.0.0.3:11111"]);

        Loads(assignment).Values.ShouldBe([2, 2, 2]);
    }

    [Fact]
    public void Without_silos_nothing_is_assigned()
    {
        ShardAssignment.Assign(Shards, []).ShouldBeEmpty();
    }
}
