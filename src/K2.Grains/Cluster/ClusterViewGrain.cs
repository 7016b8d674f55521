using K2.Grains.Abstractions;
using Orleans.Concurrency;

namespace K2.Grains.Cluster;

/// <summary>Answers on whichever silo receives the call (a client's gateway), from that silo's membership view.</summary>
[StatelessWorker(1)]
[GrainType("cluster-view")]
internal sealed class ClusterViewGrain(IClusterMembershipService membership) : Grain, IClusterViewGrain
{
    public Task<SiloAddress[]> GetActiveSilosAsync() =>
        Task.FromResult(membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToArray());
}
