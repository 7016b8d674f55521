namespace K2.Silo.Tests.Schedules;

/// <summary>
/// The manual clock as Orleans' reminder service sees it. The service waits for an instant with <c>Task.Delay</c>,
/// which counts whole milliseconds, re-reads the clock and waits again while it is short. Its table refresh waits for
/// an instant a random fraction of a millisecond past a timer's due time, so on a clock that stands still at that due
/// time inside <see cref="K2.Testing.ManualTimeProvider.Advance"/> it would spin for ever. Once one instant has been
/// read many times over, each further reading creeps a tick (100 ns) on, as real time would; ordinary readings are
/// exact.
/// </summary>
internal sealed class ReminderClock(TimeProvider clock) : TimeProvider
{
    /// <summary>Far more readings of one instant than anything but a spin makes.</summary>
    private const int SpinReadings = 1000;

    private readonly Lock _gate = new();
    private DateTimeOffset _instant;
    private long _readings;

    public override DateTimeOffset GetUtcNow()
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (now != _instant)
            {
                _instant = now;
                _readings = 0;
            }

            _readings++;
            return _readings <= SpinReadings ? now : now + TimeSpan.FromTicks(_readings - SpinReadings);
        }
    }

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override long GetTimestamp() => clock.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        clock.CreateTimer(callback, state, dueTime, period);
}
