namespace K2.Grains.Hosting;

/// <summary>
/// Counts the cluster membership changes this silo has seen (a silo joined, left or died), so grains can notice one
/// on their own timers: while membership changes, Orleans' eventually consistent directory can let a grain be active
/// twice for a moment. Started with the silo; one silo alone never counts a change after its own start.
/// </summary>
internal sealed class MembershipChanges(IClusterMembershipService membership) : ILifecycleParticipant<ISiloLifecycle>
{
    private long _version;

    /// <summary>Goes up by one at every change seen.</summary>
    public long Version => Interlocked.Read(ref _version);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(MembershipChanges), ServiceLifecycleStage.Active, OnStartAsync, _ => Task.CompletedTask);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        _ = WatchAsync();
        return Task.CompletedTask;
    }

    private async Task WatchAsync()
    {
        await foreach (var _ in membership.MembershipUpdates)
        {
            Interlocked.Increment(ref _version);
        }
    }
}
