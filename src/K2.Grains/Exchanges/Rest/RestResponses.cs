using System.Net;

namespace K2.Grains.Exchanges.Rest;

/// <summary>What the exchanges' REST answers share: how long a refusal asks us to wait.</summary>
internal static class RestResponses
{
    /// <summary>When a 429 or 418 names no Retry-After, wait this long.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>True for the refusals that mean "too many requests, wait" (Binance's 418 is its escalated ban).</summary>
    public static bool IsRateLimited(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.TooManyRequests or (HttpStatusCode)418;

    public static TimeSpan RetryAfter(HttpResponseMessage response, TimeProvider time) =>
        response.Headers.RetryAfter?.Delta ?? (response.Headers.RetryAfter?.Date - time.GetUtcNow()) ?? DefaultRetryAfter;
}
