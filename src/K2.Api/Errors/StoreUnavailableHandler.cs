using System.Data.Common;
using K2.Storage.ClickHouse;
using Microsoft.AspNetCore.Diagnostics;

namespace K2.Api.Errors;

/// <summary>
/// A store that is down or overloaded (ClickHouse unreachable or refusing for lack of resources, the warehouse
/// unreachable through it, the catalog database unreachable) is not the client's fault and not a K2 bug: it gets 503
/// problem+json with <c>Retry-After</c>, so clients back off and retry. Other failures stay 500s.
/// </summary>
internal sealed partial class StoreUnavailableHandler(ILogger<StoreUnavailableHandler> logger) : IExceptionHandler
{
    /// <summary>Seconds a client should wait: about what the stores' own retries take to give up.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>
    /// ClickHouse codes that mean "not now" rather than "never": TIMEOUT_EXCEEDED, TOO_MANY_SIMULTANEOUS_QUERIES,
    /// SOCKET_TIMEOUT, NETWORK_ERROR, MEMORY_LIMIT_EXCEEDED, S3_ERROR, ALL_CONNECTION_TRIES_FAILED, POCO_EXCEPTION (a
    /// connection failure inside the engine, e.g. to the object store).
    /// </summary>
    private static readonly int[] UnavailableCodes = [159, 202, 209, 210, 241, 499, 279, 1000];

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsOutage(exception))
        {
            return false;
        }

        LogStoreUnavailable(logger, httpContext.Request.Path, exception.Message);
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await TypedResults.Problem(
            title: "A store K2 reads from is unavailable.",
            detail: "The hot store, the warehouse or the catalog did not answer; retry after the time in Retry-After.",
            statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(httpContext);
        return true;
    }

    public static bool IsOutage(Exception exception) => exception switch
    {
        ClickHouseException { InnerException: HttpRequestException or IOException or TimeoutException } => true,
        ClickHouseException { ErrorCode: { } code } => UnavailableCodes.Contains(code),
        DbException or TimeoutException => true,
        _ => false,
    };

    [LoggerMessage(EventId = ApiEventIds.StoreUnavailable, Level = LogLevel.Warning, Message = "{Path}: a store is unavailable, answered 503: {Reason}")]
    private static partial void LogStoreUnavailable(ILogger logger, PathString path, string reason);
}
