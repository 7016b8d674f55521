using System.Diagnostics;
using K2.Grains.Abstractions;
using K2.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace K2.Grains.Tests.Exchanges.Shards;

/// <summary>
/// Two silos in one process, each with its keeper, failure detection tuned to about a second; one Binance shard and
/// scripted sessions. The silo holding the shard is killed: the survivor's keeper brings it back there.
/// </summary>
public sealed class TwoSiloFailoverTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_shard_of_a_killed_silo_runs_again_on_the_survivor_within_seconds()
    {
        var shards = new ScriptedShardCluster();
        await using var cluster = shards.Build(2, binanceShards: 1, silo => silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 1;
        }));
        await cluster.DeployAsync(Ct);

        // Asked through the client, so the status crosses the wire from whichever silo holds the shard.
        var before = await cluster.Client.GetGrain<IExchangeGrain>("binance/0").GetStatusAsync();
        before.State.ShouldBe(ExchangeShardStates.Running);
        var holder = cluster.Silos.Single(s => s.SiloAddress.ToString() == before.Silo);
        var survivor = cluster.Silos.Single(s => s != holder);
        shards.Connectors[survivor.Name].SessionsOf("binance/0").ShouldBeEmpty("one activation, on the holder");
        (await cluster.Client.GetGrain<IClusterViewGrain>(0).GetActiveSilosAsync()).ShouldBe([.. cluster.Silos.Select(s => s.SiloAddress)], ignoreOrder: true);

        var killed = Stopwatch.StartNew();
        await cluster.KillSiloAsync(holder, Ct);
        await Eventually.TrueAsync(
            () => shards.Connectors[survivor.Name].SessionsOf("binance/0") is [{ IsRunning: true }], Patience, "binance/0 did not run on the survivor", Ct);
        var recovered = killed.Elapsed;

        var after = await survivor.ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<IExchangeGrain>("binance/0").GetStatusAsync();
        after.ShouldSatisfyAllConditions(
            s => s.Silo.ShouldBe(survivor.SiloAddress.ToString()),
            s => s.State.ShouldBe(ExchangeShardStates.Running),
            s => s.Connected.ShouldBeTrue());
        // The survivor's own membership view, as the status and the API's readiness read it, once it declared the holder dead.
        var view = survivor.ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<IClusterViewGrain>(0);
        await Eventually.TrueAsync(async _ => (await view.GetActiveSilosAsync()).SequenceEqual([survivor.SiloAddress]), Patience,
            "the survivor's view did not come to hold the survivor alone", Ct);
        shards.Logged(GrainsEventIds.ExchangeShardNotRunning).ShouldBe(["Exchange shard binance/0 was not running; the keeper started it again"]);
        TestContext.Current.TestOutputHelper?.WriteLine($"binance/0 ran again on the survivor ({survivor.SiloAddress}) {recovered.TotalSeconds:0.00} s after the kill of {holder.SiloAddress}");
    }
}
