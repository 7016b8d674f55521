namespace K2.Storage.ClickHouse.Embedded;

/// <summary>
/// One call into chDB, waiting for a worker thread. Exactly one of three things claims it: the worker that runs it,
/// the caller's cancellation while it waits, or the pool failing it on dispose. Once claimed by a worker it runs to the
/// end: a native call cannot be interrupted, so a later cancellation is ignored and the caller gets the real outcome
/// (which also means the caller's buffers are never read after its task has completed).
/// </summary>
internal sealed class ChdbWorkItem<TConnection, T> : IChdbWorkItem<TConnection>
{
    private readonly Func<TConnection, T> _work;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenRegistration _registration;

    // Continuations never run on the worker thread, so a caller can neither stall it nor dispose the pool from it
    // by accident.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _claimed;

    public ChdbWorkItem(Func<TConnection, T> work, CancellationToken cancellationToken)
    {
        _work = work;
        _cancellationToken = cancellationToken;
        _registration = cancellationToken.UnsafeRegister(static item => ((ChdbWorkItem<TConnection, T>)item!).Cancel(), this);
    }

    public Task<T> Task => _completion.Task;

    public void Run(TConnection connection)
    {
        if (!TryClaim())
        {
            return;
        }

        // A token cancelled just now may not have run its callback yet: check it here, the last moment before chDB.
        if (_cancellationToken.IsCancellationRequested)
        {
            _completion.TrySetCanceled(_cancellationToken);
            return;
        }

        try
        {
            _completion.TrySetResult(_work(connection));
        }
        catch (Exception error)
        {
            _completion.TrySetException(error);
        }
    }

    public void Fail(Exception error)
    {
        if (TryClaim())
        {
            _completion.TrySetException(error);
        }
    }

    private void Cancel()
    {
        if (TryClaim())
        {
            _completion.TrySetCanceled(_cancellationToken);
        }
    }

    private bool TryClaim()
    {
        if (Interlocked.Exchange(ref _claimed, 1) == 1)
        {
            return false;
        }

        _registration.Dispose();
        return true;
    }
}
