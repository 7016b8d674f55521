using System.Threading.Channels;
using K2.Testing;

namespace K2.Storage.Tests.Support;

/// <summary>
/// A <see cref="ManualTimeProvider"/> that also reports every timer the code under test creates, so a test can wait
/// until the code is parked on its clock (a barrier) before it advances time, instead of sleeping.
/// </summary>
internal sealed class ObservedTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly ManualTimeProvider _clock = new(start);
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public override DateTimeOffset GetUtcNow() => _clock.GetUtcNow();

    public override long GetTimestamp() => _clock.GetTimestamp();

    public override long TimestampFrequency => _clock.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _clock.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits for the next timer created and returns its due time.</summary>
    public ValueTask<TimeSpan> NextTimerAsync(CancellationToken cancellationToken) => _timers.Reader.ReadAsync(cancellationToken);

    /// <summary>Waits until a timer due in exactly <paramref name="dueTime"/> is created, passing over others.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime, CancellationToken cancellationToken)
    {
        while (await NextTimerAsync(cancellationToken) != dueTime)
        {
        }
    }

    public void Advance(TimeSpan by) => _clock.Advance(by);
}
