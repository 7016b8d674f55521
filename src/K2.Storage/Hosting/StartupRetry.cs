namespace K2.Storage.Hosting;

/// <summary>
/// Tries a start-up step that needs a service which may not be up yet (PostgreSQL, a ClickHouse server): in a cluster
/// every process starts at once, so a refused connection at first is normal. The waits double from one second to eight,
/// about half a minute in all; after the last try the step's own error stops the process.
/// </summary>
public static class StartupRetry
{
    public static readonly IReadOnlyList<TimeSpan> Delays =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(8)];

    /// <summary>
    /// Runs <paramref name="step"/> until it succeeds, retrying the failures <paramref name="isUnavailable"/> accepts
    /// after each of <see cref="Delays"/>, and telling <paramref name="retrying"/> (attempt, wait, failure) before each wait.
    /// </summary>
    public static async Task RunAsync(
        Func<CancellationToken, Task> step, Func<Exception, bool> isUnavailable, Action<int, TimeSpan, Exception> retrying,
        TimeProvider time, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await step(cancellationToken);
                return;
            }
            catch (Exception e) when (attempt <= Delays.Count && isUnavailable(e) && !cancellationToken.IsCancellationRequested)
            {
                var wait = Delays[attempt - 1];
                retrying(attempt, wait, e);
                await Task.Delay(wait, time, cancellationToken);
            }
        }
    }
}
