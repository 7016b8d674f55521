namespace K2.Api.Status;

/// <summary>
/// One section of the status read from a store at most once per <see cref="MaxAge"/>, however many clients poll:
/// callers within that time share the last answer (or the read in flight). A read that fails or outlasts
/// <see cref="ReadTimeout"/> becomes the section's <c>unavailable</c> reason, cached alike, so a store that is down is
/// not asked again by every poll and never holds the status up.
/// </summary>
internal sealed class StatusSectionCache<T>(Func<CancellationToken, Task<T>> read, TimeProvider time)
    where T : class
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private Task<StatusSection<T>>? _current;
    private long _startedAt;

    public Task<StatusSection<T>> GetAsync()
    {
        lock (_lock)
        {
            if (_current is null || time.GetElapsedTime(_startedAt) >= MaxAge)
            {
                _startedAt = time.GetTimestamp();
                _current = ReadAsync();
            }

            return _current;
        }
    }

    private async Task<StatusSection<T>> ReadAsync()
    {
        var checkedAt = time.GetUtcNow();
        using var timeout = new CancellationTokenSource(ReadTimeout, time);
        try
        {
            return new StatusSection<T>(checkedAt, await read(timeout.Token).WaitAsync(timeout.Token), null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new StatusSection<T>(checkedAt, null, $"no answer within {ReadTimeout.TotalSeconds:0} s");
        }
        catch (Exception e)
        {
            return new StatusSection<T>(checkedAt, null, e.Message);
        }
    }
}

/// <summary>A section read from a store at <paramref name="CheckedAt"/>: its value, or why the store could not give it.</summary>
internal sealed record StatusSection<T>(DateTimeOffset CheckedAt, T? Value, string? Unavailable)
    where T : class;
