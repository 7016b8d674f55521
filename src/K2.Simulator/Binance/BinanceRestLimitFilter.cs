using System.Globalization;
using System.Net;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Simulator.Faults;

namespace K2.Simulator.Binance;

/// <summary>
/// Runs before every Binance REST route: first an armed REST fault (429 or 418 with <c>Retry-After</c>), then the
/// request-weight limit (rest-api.md, "LIMITS"): each request charges its route's weight against
/// <see cref="BinanceEndpoints.MaxRequestWeightPerMinute"/> per minute, and one that would go over is refused with
/// 429 and the seconds until it would fit. Every response, refused or not, carries
/// <see cref="BinanceEndpoints.UsedWeightHeader"/>. Weight is charged before the parameters are checked, as Binance
/// does, so a 400 costs as much as a 200.
/// </summary>
/// <remarks>
/// Binance turns repeated 429s into a 418 ban; the simulator does not escalate on its own (a test that wants a ban
/// arms one with <see cref="RestFault.Banned"/>), so a client that backs off as told never meets a surprise ban.
/// </remarks>
internal sealed class BinanceRestLimitFilter(int weight) : IEndpointFilter
{
    private const string RetryAfterHeader = "Retry-After";

    /// <summary>Where the connection has no remote address (in-memory test servers), the text names loopback.</summary>
    private static readonly IPAddress FallbackAddress = IPAddress.Loopback;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var faults = http.RequestServices.GetRequiredService<FaultPlan>();
        var requestWeight = http.RequestServices.GetRequiredService<BinanceVenue>().RequestWeight;
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();

        if (faults.TakeRestFault(Exchange.Binance) is { } armed)
        {
            SetUsedWeight(http, requestWeight.Used(now));
            return armed.Fault == RestFault.Banned
                ? Banned(http, faults, armed.RetryAfter, now)
                : TooManyRequests(http, faults, armed.RetryAfter);
        }

        var charged = requestWeight.TryCharge(now, weight, out var used, out var retryAfter);
        SetUsedWeight(http, used);
        return charged ? await next(context) : TooManyRequests(http, faults, retryAfter);
    }

    /// <summary>
    /// HTTP 429. Also the answer to <see cref="RestFault.Throttled"/>: Binance has no HTTP-200 throttling reply
    /// (that is Kraken's), so a Binance client meets throttling as a 429.
    /// </summary>
    private static BinanceJsonResult TooManyRequests(HttpContext http, FaultPlan faults, TimeSpan retryAfter)
    {
        faults.Count(Exchange.Binance, FaultKind.RestTooManyRequests);
        SetRetryAfter(http, retryAfter);
        var message = BinanceErrors.TooManyRequests(ClientAddress(http), BinanceEndpoints.MaxRequestWeightPerMinute);
        return BinanceJsonResult.Create(StatusCodes.Status429TooManyRequests,
            w => BinanceWireWriter.WriteRestError(w, BinanceErrors.TooManyRequestsCode, message));
    }

    /// <summary>HTTP 418, "I'm a teapot": the IP is banned until <paramref name="now"/> plus <paramref name="retryAfter"/>.</summary>
    private static BinanceJsonResult Banned(HttpContext http, FaultPlan faults, TimeSpan retryAfter, DateTimeOffset now)
    {
        faults.Count(Exchange.Binance, FaultKind.RestBanned);
        SetRetryAfter(http, retryAfter);
        var message = BinanceErrors.Banned(ClientAddress(http), (now + retryAfter).ToUnixTimeMilliseconds());
        return BinanceJsonResult.Create(StatusCodes.Status418ImATeapot,
            w => BinanceWireWriter.WriteRestError(w, BinanceErrors.TooManyRequestsCode, message));
    }

    private static void SetUsedWeight(HttpContext http, int used) =>
        http.Response.Headers[BinanceEndpoints.UsedWeightHeader] = used.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whole seconds, rounded up: a client that waits exactly that long is never early.</summary>
    private static void SetRetryAfter(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = (Math.Max(0, retryAfter.Ticks) + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        http.Response.Headers[RetryAfterHeader] = seconds.ToString(CultureInfo.InvariantCulture);
    }

    private static string ClientAddress(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress ?? FallbackAddress;
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}
