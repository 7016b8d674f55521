using K2.Storage.ClickHouse.Http;

namespace K2.Storage.Tests.ClickHouse.Http;

public sealed class ClickHouseHttpOptionsValidatorTests
{
    private static IReadOnlyList<string> Failures(Action<ClickHouseHttpOptions> change)
    {
        var options = new ClickHouseHttpOptions();
        change(options);
        return new ClickHouseHttpOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        Failures(_ => { }).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("file:///clickhouse")]
    public void A_url_that_is_not_http_is_refused(string url)
    {
        Failures(o => o.Url = new Uri(url)).ShouldBe([$"K2:Storage:Http: Url must be an absolute http or https URL (is '{new Uri(url)}')."]);
    }

    [Fact]
    public void Each_bad_setting_is_named()
    {
        var failures = Failures(o =>
        {
            o.User = "";
            o.Timeout = TimeSpan.Zero;
            o.ReadRetries = -1;
            o.ReadRetryDelay = TimeSpan.FromSeconds(-1);
        });

        failures.Count.ShouldBe(4);
        failures.ShouldContain(f => f.Contains("User", StringComparison.Ordinal));
        failures.ShouldContain(f => f.Contains("Timeout", StringComparison.Ordinal));
        failures.ShouldContain(f => f.Contains("ReadRetries", StringComparison.Ordinal));
        failures.ShouldContain(f => f.Contains("ReadRetryDelay", StringComparison.Ordinal));
    }

    [Fact]
    public void An_infinite_timeout_is_refused()
    {
        Failures(o => o.Timeout = Timeout.InfiniteTimeSpan).ShouldHaveSingleItem().ShouldContain("Timeout must be positive and finite");
    }
}
