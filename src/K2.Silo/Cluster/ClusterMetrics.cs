using System.Diagnostics.Metrics;

namespace K2.Silo.Cluster;

/// <summary>
/// The cluster's size as this silo's membership view has it (meter "K2.Cluster"): a silo lost or a cluster smaller than
/// configured shows on every survivor.
/// </summary>
internal sealed class ClusterMetrics(IMeterFactory meterFactory, IClusterMembershipService membership) : ILifecycleParticipant<ISiloLifecycle>
{
    public const string MeterName = "K2.Cluster";

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterMetrics), ServiceLifecycleStage.Active, OnActiveAsync, _ => Task.CompletedTask);

    /// <summary>Once the silo is active, so the first value already counts this silo.</summary>
    private Task OnActiveAsync(CancellationToken cancellationToken)
    {
        meterFactory.Create(MeterName).CreateObservableGauge(
            "k2.cluster.silos", ActiveSilos, "{silo}", "Silos the cluster membership lists as active, as this silo sees it.");
        return Task.CompletedTask;
    }

    private int ActiveSilos() => membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
}
