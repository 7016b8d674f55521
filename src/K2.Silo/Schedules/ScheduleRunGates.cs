namespace K2.Silo.Schedules;

/// <summary>
/// One run at a time of each schedule's work on this silo, whoever starts it: a due time waits for a run an operator
/// started, and an operator's run finding one going is refused (<see cref="TryEnter"/>). Two offloads at once would
/// choose their slices on the same watermark, and the second to commit would fail.
/// </summary>
public sealed class ScheduleRunGates
{
    private readonly SemaphoreSlim _offload = new(1, 1);
    private readonly SemaphoreSlim _maintenance = new(1, 1);

    /// <summary>Waits until no other run of <paramref name="schedule"/> goes on; dispose the result to end the run.</summary>
    public async Task<IDisposable> EnterAsync(string schedule, CancellationToken cancellationToken)
    {
        var gate = Of(schedule);
        await gate.WaitAsync(cancellationToken);
        return new Exit(gate);
    }

    /// <summary>The run's lease, or null when a run of <paramref name="schedule"/> is going on.</summary>
    public IDisposable? TryEnter(string schedule)
    {
        var gate = Of(schedule);
        return gate.Wait(0) ? new Exit(gate) : null;
    }

    private SemaphoreSlim Of(string schedule) => schedule switch
    {
        ScheduleNames.Offload => _offload,
        ScheduleNames.Maintenance => _maintenance,
        _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "Not a schedule."),
    };

    private sealed class Exit(SemaphoreSlim gate) : IDisposable
    {
        private SemaphoreSlim? _gate = gate;

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}
