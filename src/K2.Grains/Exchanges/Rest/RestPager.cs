using K2.Core;
using K2.Grains.Backfill;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Exchanges.Rest;

/// <summary>
/// One exchange's REST GETs, within its limits: each waits at the gate, a 429 or 418 pauses every request until its
/// <c>Retry-After</c> and is then retried, a network failure, timeout or server error is retried a few times with a
/// growing delay before it is reported, and any other client error is reported at once. Lives as long as the process, so a pause outlasts a session restart.
/// Every wait is told to <paramref name="progress"/>, so an overdue gap can say what its repair waits for.
/// </summary>
internal sealed partial class RestPager(
    Exchange exchange, HttpClient http, RestRequestGate gate, TimeProvider time, ILogger<RestPager> logger, BackfillProgress? progress = null)
{
    private const int MaxFailedAttempts = 5;

    /// <summary>The body of <c>GET base + pathAndQuery</c>; throws <see cref="HttpRequestException"/> when the exchange keeps failing.</summary>
    public async Task<byte[]> GetAsync(Uri baseUri, string pathAndQuery, int weight, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        for (var failures = 0; ; )
        {
            await gate.WaitAsync(weight, cancellationToken, progress is null ? null : progress.Waiting);
            progress?.Proceeding();
            using var message = new HttpRequestMessage(HttpMethod.Get, $"{baseUri.ToString().TrimEnd('/')}{pathAndQuery}");
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                message.Headers.Add(name, value);
            }

            try
            {
                using var response = await http.SendAsync(message, cancellationToken);
                if (RestResponses.IsRateLimited(response))
                {
                    var retryAfter = RestResponses.RetryAfter(response, time);
                    PauseFor(retryAfter);
                    LogLimited(logger, exchange, (int)response.StatusCode, retryAfter);
                    continue;
                }

                if ((int)response.StatusCode is >= 400 and < 500)
                {
                    // The request itself is wrong: asking again spends rate-limit weight for the same answer.
                    throw new HttpRequestException(
                        $"{exchange} REST refused {pathAndQuery}: {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
                }

                response.EnsureSuccessStatusCode();
                return await response.Content.ReadAsByteArrayAsync(cancellationToken);
            }
            catch (HttpRequestException e) when (e.StatusCode is not { } status || (int)status >= 500)
            {
                if (++failures >= MaxFailedAttempts)
                {
                    throw;
                }

                LogRetrying(logger, exchange, pathAndQuery, failures, e.Message);
                await RetryDelayAsync(failures, e.Message, cancellationToken);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                // HttpClient's timeout: no answer is a network failure like any other.
                if (++failures >= MaxFailedAttempts)
                {
                    throw new HttpRequestException($"{exchange} REST {pathAndQuery} did not answer in time.", e);
                }

                LogRetrying(logger, exchange, pathAndQuery, failures, "no answer in time");
                await RetryDelayAsync(failures, "no answer in time", cancellationToken);
            }
        }
    }

    /// <summary>No request goes out for <paramref name="duration"/> (an exchange's throttling reply that is not a 429), and the log says why.</summary>
    public void PauseFor(TimeSpan duration, string reason)
    {
        PauseFor(duration);
        LogThrottled(logger, exchange, reason, duration);
    }

    private Task RetryDelayAsync(int failures, string reason, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(failures);
        progress?.Waiting(time.GetUtcNow() + delay, $"a retry after failure {failures} ({reason})");
        return Task.Delay(delay, time, cancellationToken);
    }

    private void PauseFor(TimeSpan duration) => gate.PauseUntil(time.GetUtcNow() + duration);

    [LoggerMessage(EventId = GrainsEventIds.BackfillRateLimited, Level = LogLevel.Warning, Message = "{Exchange} REST answered {Status}; pausing requests for {RetryAfter}")]
    private static partial void LogLimited(ILogger logger, Exchange exchange, int status, TimeSpan retryAfter);

    [LoggerMessage(EventId = GrainsEventIds.BackfillThrottled, Level = LogLevel.Warning, Message = "{Exchange} REST throttled ({Reason}); pausing requests for {Pause}")]
    private static partial void LogThrottled(ILogger logger, Exchange exchange, string reason, TimeSpan pause);

    [LoggerMessage(EventId = GrainsEventIds.BackfillRetrying, Level = LogLevel.Warning, Message = "{Exchange} REST {Path} failed (attempt {Attempt}: {Reason}); retrying")]
    private static partial void LogRetrying(ILogger logger, Exchange exchange, string path, int attempt, string reason);
}
