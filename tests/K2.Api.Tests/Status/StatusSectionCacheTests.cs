using K2.Api.Status;
using K2.Testing;

namespace K2.Api.Tests.Status;

/// <summary>A store section of the status is read at most once per <c>MaxAge</c>, and a read that fails or hangs becomes its <c>unavailable</c> reason.</summary>
public sealed class StatusSectionCacheTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task Polls_within_the_max_age_share_one_read_and_a_later_poll_reads_again()
    {
        var reads = 0;
        var cache = new StatusSectionCache<string>(_ => Task.FromResult($"read {++reads}"), _time);

        (await cache.GetAsync()).Value.ShouldBe("read 1");
        _time.Advance(StatusSectionCache<string>.MaxAge - TimeSpan.FromTicks(1));
        (await cache.GetAsync()).Value.ShouldBe("read 1");
        _time.Advance(TimeSpan.FromTicks(1));
        var fresh = await cache.GetAsync();

        fresh.Value.ShouldBe("read 2");
        fresh.CheckedAt.ShouldBe(_time.GetUtcNow());
        fresh.Unavailable.ShouldBeNull();
        reads.ShouldBe(2);
    }

    [Fact]
    public async Task A_failed_read_is_the_reason_the_section_is_unavailable_until_the_next_read()
    {
        var fail = true;
        var cache = new StatusSectionCache<string>(_ => fail ? throw new InvalidOperationException("store is down") : Task.FromResult("up"), _time);

        var down = await cache.GetAsync();
        fail = false;
        var stillCached = await cache.GetAsync();
        _time.Advance(StatusSectionCache<string>.MaxAge);
        var up = await cache.GetAsync();

        (down.Value, down.Unavailable).ShouldBe((null, "store is down"));
        stillCached.ShouldBeSameAs(down);
        (up.Value, up.Unavailable).ShouldBe(("up", null));
    }

    [Fact]
    public async Task A_read_that_hangs_is_given_up_after_the_read_timeout()
    {
        CancellationToken given = default;
        var cache = new StatusSectionCache<string>(ct => { given = ct; return new TaskCompletionSource<string>().Task; }, _time);

        var section = cache.GetAsync();
        section.IsCompleted.ShouldBeFalse();
        _time.Advance(StatusSectionCache<string>.ReadTimeout);

        var result = await section.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        (result.Value, result.Unavailable).ShouldBe((null, "no answer within 2 s"));
        given.IsCancellationRequested.ShouldBeTrue();
    }
}
