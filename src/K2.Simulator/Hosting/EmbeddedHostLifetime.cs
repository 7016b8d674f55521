namespace K2.Simulator.Hosting;

/// <summary>
/// A host lifetime that leaves process signals alone. The simulator runs inside other processes (K2 with
/// <c>--simulate</c>, tests); if its web host listened for SIGTERM it would close its exchanges before K2 had
/// stopped its sessions. Whoever owns the simulator stops it by disposing it.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
