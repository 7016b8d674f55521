using K2.Api.Cluster;
using K2.Storage.Hosting;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Api.Tests.Cluster;

public sealed class ClusterConnectRetryTests
{
    [Fact]
    public async Task The_first_connection_is_retried_after_each_start_up_wait_and_then_given_up()
    {
        var clock = new ManualTimeProvider();
        var retry = new ClusterConnectRetry(clock, NullLogger<ClusterConnectRetry>.Instance);
        var failure = new OrleansException("no gateway");

        foreach (var wait in StartupRetry.Delays)
        {
            var decided = retry.ShouldRetryConnectionAttempt(failure, TestContext.Current.CancellationToken);
            clock.Advance(wait - TimeSpan.FromTicks(1));
            decided.IsCompleted.ShouldBeFalse($"retried before its wait of {wait}");
            clock.Advance(TimeSpan.FromTicks(1));
            (await decided.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).ShouldBeTrue();
        }

        (await retry.ShouldRetryConnectionAttempt(failure, TestContext.Current.CancellationToken)).ShouldBeFalse("after the last wait the start fails");
    }
}
