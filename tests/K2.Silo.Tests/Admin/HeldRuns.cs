using K2.Grains.Schedules;
using K2.Silo.Schedules;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Silo.Tests.Admin;

/// <summary>
/// Holds the next asked-for offload or maintenance going until the test lets it go: <see cref="Close"/>, then the run
/// signals <see cref="Started"/> and waits for <see cref="Open"/> before doing its real work.
/// </summary>
public sealed class RunHold
{
    private TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _release;

    public Task Started => _started.Task;

    public void Close()
    {
        _started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Open() => Interlocked.Exchange(ref _release, null)?.TrySetResult();

    public async Task PassAsync(CancellationToken cancellationToken)
    {
        if (_release is { } release)
        {
            _started.TrySetResult();
            await release.Task.WaitAsync(cancellationToken);
        }
    }
}

/// <summary>The silo's real offload and maintenance, asked-for runs passing a <see cref="RunHold"/> first.</summary>
internal static class HeldRuns
{
    public static void Register(IServiceCollection services)
    {
        services.AddSingleton<RunHold>();
        services.AddSingleton<IOffloadRun>(sp => new HeldOffload(ActivatorUtilities.CreateInstance<ScheduledOffload>(sp), sp.GetRequiredService<RunHold>()));
        services.AddSingleton<IMaintenanceRun>(sp => new HeldMaintenance(ActivatorUtilities.CreateInstance<ScheduledMaintenance>(sp), sp.GetRequiredService<RunHold>()));
    }

    private sealed class HeldOffload(IOffloadRun run, RunHold hold) : IOffloadRun
    {
        public Task RunAsync(ScheduleFiring firing, CancellationToken cancellationToken) => run.RunAsync(firing, cancellationToken);

        public async Task<OffloadReport> RunNowAsync(CancellationToken cancellationToken)
        {
            await hold.PassAsync(cancellationToken);
            return await run.RunNowAsync(cancellationToken);
        }

        public Task<DateTimeOffset?> LastRunAtAsync(CancellationToken cancellationToken) => run.LastRunAtAsync(cancellationToken);
    }

    private sealed class HeldMaintenance(IMaintenanceRun run, RunHold hold) : IMaintenanceRun
    {
        public Task RunAsync(ScheduleFiring firing, CancellationToken cancellationToken) => run.RunAsync(firing, cancellationToken);

        public async Task<MaintenanceReport> RunNowAsync(CancellationToken cancellationToken)
        {
            await hold.PassAsync(cancellationToken);
            return await run.RunNowAsync(cancellationToken);
        }

        public Task<DateTimeOffset?> LastRunAtAsync(CancellationToken cancellationToken) => run.LastRunAtAsync(cancellationToken);
    }
}
