using K2.Simulator.WebSockets;
using K2.Testing;

namespace K2.Simulator.Tests.WebSockets;

public sealed class IncomingMessageRateLimitTests
{
    [Fact]
    public void Allows_five_in_any_second_and_refuses_the_sixth()
    {
        var time = new ManualTimeProvider();
        var limit = new IncomingMessageRateLimit(5, TimeSpan.FromSeconds(1), time);

        Assert.All(Enumerable.Range(0, 5), _ => Assert.True(limit.TryRecord()));
        Assert.False(limit.TryRecord());

        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(limit.TryRecord());

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limit.TryRecord());
    }

    [Fact]
    public void The_window_slides()
    {
        var time = new ManualTimeProvider();
        var limit = new IncomingMessageRateLimit(5, TimeSpan.FromSeconds(1), time);

        Assert.All(Enumerable.Range(0, 3), _ => Assert.True(limit.TryRecord()));
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.All(Enumerable.Range(0, 2), _ => Assert.True(limit.TryRecord()));
        Assert.False(limit.TryRecord());

        // At 1 s the three messages sent at 0 s leave the window; the two sent at 0.5 s are still in it.
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.All(Enumerable.Range(0, 3), _ => Assert.True(limit.TryRecord()));
        Assert.False(limit.TryRecord());
    }
}
