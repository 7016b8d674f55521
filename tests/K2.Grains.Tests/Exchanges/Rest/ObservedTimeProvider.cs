using System.Collections.Concurrent;
using K2.Testing;

namespace K2.Grains.Tests.Exchanges.Rest;

/// <summary>
/// A <see cref="ManualTimeProvider"/> that also records the due time of every timer created from it (a
/// <c>Task.Delay</c> on it is one), so a test can wait until the code under test is waiting before it advances time,
/// and can assert how long it chose to wait.
/// </summary>
internal sealed class ObservedTimeProvider(ManualTimeProvider clock) : TimeProvider
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<TimeSpan> _timers = new();

    public ObservedTimeProvider()
        : this(new ManualTimeProvider())
    {
    }

    public ManualTimeProvider Clock => clock;

    /// <summary>The due time of every timer created so far, in creation order.</summary>
    public IReadOnlyList<TimeSpan> Timers => [.. _timers];

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override long GetTimestamp() => clock.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = clock.CreateTimer(callback, state, dueTime, period);
        _timers.Enqueue(dueTime);
        return timer;
    }

    public void Advance(TimeSpan by) => clock.Advance(by);

    /// <summary>Waits (in real time) until <paramref name="count"/> timers have been created in all.</summary>
    public Task WaitForTimersAsync(int count, CancellationToken cancellationToken) =>
        Eventually.TrueAsync(() => _timers.Count >= count, Patience, $"{count} timers were never created (only {_timers.Count})", cancellationToken);
}
