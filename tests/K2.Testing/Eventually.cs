namespace K2.Testing;

/// <summary>
/// Waits for a condition that another process or thread will make true, polling it. For conditions outside the
/// test's control (a child process, a socket); inside one process, prefer barriers.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            if (await condition())
            {
                return;
            }

            try
            {
                await Task.Delay(PollInterval, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"After {timeout}: {failure}");
            }
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string failure, CancellationToken cancellationToken) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, failure, cancellationToken);
}
