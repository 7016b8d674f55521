namespace K2.Testing;

/// <summary>
/// Waits for a condition that another process or thread will make true, polling it. For conditions outside the
/// test's control (a child process, a socket); inside one process, prefer barriers.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls until <paramref name="condition"/> holds; the condition gets a token that ends at the deadline.</summary>
    public static async Task TrueAsync(Func<CancellationToken, Task<bool>> condition, TimeSpan timeout, string failure, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (!await condition(deadline.Token))
            {
                await Task.Delay(PollInterval, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"After {timeout}: {failure}");
        }
    }

    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure, CancellationToken cancellationToken) =>
        TrueAsync(_ => condition(), timeout, failure, cancellationToken);

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string failure, CancellationToken cancellationToken) =>
        TrueAsync(_ => Task.FromResult(condition()), timeout, failure, cancellationToken);
}
