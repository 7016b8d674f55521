using System.Collections.Concurrent;
using K2.Silo.Schedules;

namespace K2.Silo.Tests.Schedules;

/// <summary>One run as a test saw it: which node ran which schedule for which firing.</summary>
internal sealed record RecordedRun(string Node, string Schedule, ScheduleFiring Firing);

/// <summary>
/// The offload and maintenance runs of one node, recording every call in a log that several nodes may share. Calls
/// numbered in <paramref name="failingCalls"/> (1-based, per node) throw after being recorded.
/// </summary>
internal sealed class RecordingRuns(string node, ConcurrentQueue<RecordedRun> log, params int[] failingCalls) : IOffloadRun, IMaintenanceRun
{
    private int _calls;

    Task IOffloadRun.RunAsync(ScheduleFiring firing, CancellationToken cancellationToken) => Record(ScheduleNames.Offload, firing);

    Task IMaintenanceRun.RunAsync(ScheduleFiring firing, CancellationToken cancellationToken) => Record(ScheduleNames.Maintenance, firing);

    private Task Record(string schedule, ScheduleFiring firing)
    {
        log.Enqueue(new RecordedRun(node, schedule, firing));
        return failingCalls.Contains(Interlocked.Increment(ref _calls))
            ? Task.FromException(new InvalidOperationException($"run {_calls} on {node} fails on purpose"))
            : Task.CompletedTask;
    }
}
