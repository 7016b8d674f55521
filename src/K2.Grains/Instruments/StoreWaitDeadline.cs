namespace K2.Grains.Instruments;

/// <summary>
/// The time one grain call or tick may spend waiting on the hot store, started at the first wait: calls that find room
/// in the writers (nearly all of them) allocate no timer.
/// </summary>
internal sealed class StoreWaitDeadline(TimeSpan limit, TimeProvider time, CancellationToken caller) : IDisposable
{
    private CancellationTokenSource? _timeout;
    private CancellationTokenSource? _either;

    public TimeSpan Limit => limit;

    /// <summary>Cancelled when the limit has passed since the first use, or when the caller gives up.</summary>
    public CancellationToken Token
    {
        get
        {
            if (_either is null)
            {
                _timeout = new CancellationTokenSource(limit, time);
                _either = CancellationTokenSource.CreateLinkedTokenSource(caller, _timeout.Token);
            }

            return _either.Token;
        }
    }

    /// <summary>The limit passed while the caller still wanted an answer.</summary>
    public bool Expired => _timeout?.IsCancellationRequested == true && !caller.IsCancellationRequested;

    public void Dispose()
    {
        _either?.Dispose();
        _timeout?.Dispose();
    }
}
