using K2.Api.Metrics;

namespace K2.Api.Tests.Metrics;

public sealed class MetricsExportOptionsValidatorTests
{
    [Fact]
    public void The_scrape_cache_lasts_from_zero_to_ten_minutes_and_a_bad_value_names_the_key()
    {
        var validator = new MetricsExportOptionsValidator();

        validator.Validate(null, new MetricsExportOptions { ScrapeCacheDuration = TimeSpan.FromSeconds(-1) }).Failures.ShouldBe(
            ["K2:Metrics: ScrapeCacheDuration must be between 00:00:00 and 00:10:00 (is -00:00:01)."]);
        validator.Validate(null, new MetricsExportOptions { ScrapeCacheDuration = TimeSpan.FromMinutes(11) }).Failed.ShouldBeTrue();
        validator.Validate(null, new MetricsExportOptions { ScrapeCacheDuration = TimeSpan.Zero }).Succeeded.ShouldBeTrue();
        validator.Validate(null, new MetricsExportOptions()).Succeeded.ShouldBeTrue("the default, 300 ms");
    }
}
