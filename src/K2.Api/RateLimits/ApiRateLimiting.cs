using System.Globalization;
using System.Threading.RateLimiting;
using K2.Api.Admin;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace K2.Api.RateLimits;

/// <summary>
/// ASP.NET Core's rate limiter over <c>/v1/…</c>, one token bucket per admin API key for a request carrying a valid
/// one in <c>X-Api-Key</c> (the partition is named after the key's name, never its text), else one per client address;
/// a request over the limit gets 429 problem+json with <c>Retry-After</c>. (Behind a proxy every client without a key
/// shares the proxy's address unless forwarded headers are trusted.)
/// </summary>
public static class ApiRateLimiting
{
    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<ApiRateLimitOptions>().BindConfiguration(ApiRateLimitOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiRateLimitOptions>, ApiRateLimitOptionsValidator>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ApiRateLimitOptions>, AdminKeys>((limiter, configured, keys) =>
        {
            var limits = configured.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                !limits.Enabled || !context.Request.Path.StartsWithSegments("/v1")
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    // Partitions are found by key alone, so the two kinds must never share one.
                    : RateLimitPartition.GetTokenBucketLimiter(PartitionOf(context, keys), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = limits.Burst,
                        TokensPerPeriod = limits.PermitsPerPeriod,
                        ReplenishmentPeriod = limits.Period,
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            limiter.OnRejected = (rejected, cancellationToken) =>
            {
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : limits.Period;
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return new ValueTask(TypedResults.Problem(
                    title: "Too many requests.",
                    detail: $"This client may make {limits.PermitsPerPeriod} requests per {limits.Period} (bursts of {limits.Burst}); retry after {seconds} s.",
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(rejected.HttpContext));
            };
        });
        return services;
    }

    /// <summary>The bucket a request draws from: its key's name when it carries a valid admin key, else its address.</summary>
    internal static string PartitionOf(HttpContext context, AdminKeys keys) =>
        context.Request.Headers[AdminKeys.HeaderName] is { Count: 1 } presented && keys.Identify(presented[0]) is { } name
            ? "key " + name
            : "client " + context.Connection.RemoteIpAddress;
}
