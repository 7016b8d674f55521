using K2.Storage.Hosting;

namespace K2.Api.Cluster;

/// <summary>
/// Retries the client's first connection to the cluster as every K2 start-up step retries a service that may not be up
/// yet (<see cref="StartupRetry.Delays"/>: about half a minute in all): in a deployment the API may start before any
/// silo has joined. After the last wait the connection's own error stops the process.
/// </summary>
internal sealed partial class ClusterConnectRetry(TimeProvider time, ILogger<ClusterConnectRetry> logger) : IClientConnectionRetryFilter
{
    private int _attempts;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref _attempts);
        if (attempt > StartupRetry.Delays.Count || cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var wait = StartupRetry.Delays[attempt - 1];
        LogUnavailable(logger, attempt, wait, exception.Message);
        await Task.Delay(wait, time, cancellationToken);
        return true;
    }

    [LoggerMessage(EventId = ApiEventIds.ClusterUnavailable, Level = LogLevel.Warning,
        Message = "The cluster is not reachable yet (attempt {Attempt}: {Reason}); trying again in {Wait}")]
    private static partial void LogUnavailable(ILogger logger, int attempt, TimeSpan wait, string reason);
}
