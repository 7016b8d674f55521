namespace K2.Api.Metrics;

/// <summary>How <c>/metrics</c> answers (<c>K2:Metrics</c>).</summary>
public sealed class MetricsExportOptions
{
    public const string Section = "K2:Metrics";

    /// <summary>
    /// How long one collection serves repeated scrapes: several Prometheus servers scraping at once then cost one
    /// collection. Zero collects on every scrape.
    /// </summary>
    public TimeSpan ScrapeCacheDuration { get; set; } = TimeSpan.FromMilliseconds(300);
}
