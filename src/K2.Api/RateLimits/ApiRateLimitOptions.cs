namespace K2.Api.RateLimits;

/// <summary>
/// How many API requests one client may make (<c>K2:Api:RateLimit</c>): a token bucket per client address that holds
/// <see cref="Burst"/> requests and gains <see cref="PermitsPerPeriod"/> every <see cref="Period"/>. Health, metrics,
/// the API reference and the dashboards are not limited, only <c>/v1/…</c>.
/// </summary>
public sealed class ApiRateLimitOptions
{
    public const string Section = "K2:Api:RateLimit";

    public bool Enabled { get; set; } = true;

    public int PermitsPerPeriod { get; set; } = 1_000;

    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Requests a client may make at once after being idle.</summary>
    public int Burst { get; set; } = 2_000;
}
