using System.Collections.Concurrent;
using Orleans.Reminders.Diagnostics;

namespace K2.Silo.Tests.Schedules;

/// <summary>
/// Follows the reminder service's diagnostic events for one silo. A reminder delivers a tick, then arms the wait for
/// its next one; a test that moves the manual clock before that wait is armed would see the tick late. So a test waits
/// until every reminder it moves past is armed, moves the clock, then waits until each has delivered its tick.
/// </summary>
internal sealed class ReminderTickProbe : IObserver<ReminderEvents.ReminderEvent>, IDisposable
{
    private readonly ConcurrentQueue<ReminderEvents.ReminderEvent> _events = new();
    private readonly IDisposable _subscription;
    private readonly ChangeSignal _changed = new();
    private SiloAddress? _silo;

    public ReminderTickProbe() => _subscription = ReminderEvents.AllEvents.Subscribe(this);

    /// <summary>Events are process-wide: only those of this silo count (other tests run silos beside this one).</summary>
    public void Follow(SiloAddress silo) => _silo = silo;

    /// <summary>How many ticks of <paramref name="reminder"/> were delivered (the grain's <c>ReceiveReminder</c> returned).</summary>
    public int Delivered(string reminder) => Events(reminder).Count(e => e is ReminderEvents.TickCompleted);

    /// <summary>Moves <paramref name="clock"/> by <paramref name="by"/> once each reminder is waiting, and waits for each one's tick.</summary>
    public async Task TickAsync(K2.Testing.ManualTimeProvider clock, TimeSpan by, CancellationToken cancellationToken, params string[] reminders)
    {
        var delivered = reminders.ToDictionary(r => r, Delivered);
        await _changed.WaitUntilAsync(() => reminders.All(IsWaiting), $"{string.Join(", ", reminders)} did not arm a wait", cancellationToken);
        clock.Advance(by);
        await _changed.WaitUntilAsync(() => reminders.All(r => Delivered(r) == delivered[r] + 1),
            $"{string.Join(", ", reminders)} did not deliver a tick after {by}", cancellationToken);
    }

    public void OnNext(ReminderEvents.ReminderEvent value)
    {
        _events.Enqueue(value);
        _changed.Pulse();
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose() => _subscription.Dispose();

    /// <summary>Whether the reminder's latest event is the arming of a wait (not a tick still on its way).</summary>
    private bool IsWaiting(string reminder) =>
        Events(reminder).LastOrDefault(e => e is ReminderEvents.LocalReminderTickWaitArmed or ReminderEvents.TickFiring or ReminderEvents.TickCompleted)
            is ReminderEvents.LocalReminderTickWaitArmed;

    private IEnumerable<ReminderEvents.ReminderEvent> Events(string reminder) =>
        _events.Where(e => _silo is not null && _silo.Equals(e.SiloAddress) && e.ReminderName == reminder);
}
