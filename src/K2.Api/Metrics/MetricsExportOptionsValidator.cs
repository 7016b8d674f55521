using Microsoft.Extensions.Options;

namespace K2.Api.Metrics;

internal sealed class MetricsExportOptionsValidator : IValidateOptions<MetricsExportOptions>
{
    /// <summary>The exporter keeps the cache duration in whole milliseconds as an int.</summary>
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, MetricsExportOptions options) =>
        options.ScrapeCacheDuration < TimeSpan.Zero || options.ScrapeCacheDuration > Longest
            ? ValidateOptionsResult.Fail(
                $"{MetricsExportOptions.Section}: ScrapeCacheDuration must be between 00:00:00 and {Longest} (is {options.ScrapeCacheDuration}).")
            : ValidateOptionsResult.Success;
}
