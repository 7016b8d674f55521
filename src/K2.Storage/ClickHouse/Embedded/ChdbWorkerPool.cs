using System.Collections.Concurrent;
using System.Diagnostics;

namespace K2.Storage.ClickHouse.Embedded;

/// <summary>
/// Runs blocking chDB calls on threads of its own, one per connection, so a slow statement never holds a thread-pool
/// thread (a few would starve a 2-core machine's pool and delay the exchange WebSocket loops). Callers queue work and
/// await it; each thread takes the next item and runs it on its own connection, so a connection runs one statement at a
/// time (reference/chdb.md rule 6). Generic over the connection only so the tests can drive it without chDB.
/// </summary>
internal sealed class ChdbWorkerPool<TConnection>
    where TConnection : IDisposable
{
    private readonly BlockingCollection<IChdbWorkItem<TConnection>> _queue = new();
    private readonly TConnection[] _connections;
    private readonly Thread[] _threads;
    private int _stopped;
    private int _closed;

    /// <summary>Starts one background thread per connection, named <c>chdb-{name}-{index}</c> (e.g. <c>chdb-query-0</c>).</summary>
    public ChdbWorkerPool(string name, IReadOnlyList<TConnection> connections)
    {
        _connections = [.. connections];
        _threads = [.. _connections.Select((connection, i) =>
            new Thread(() => Work(connection)) { Name = $"chdb-{name}-{i}", IsBackground = true })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>
    /// Queues <paramref name="work"/> for the next free connection. <paramref name="cancellationToken"/> is honoured
    /// until the work starts (a cancelled request never reaches chDB); once started it runs to completion, because a
    /// native chDB call cannot be interrupted. After <see cref="Stop"/> it fails with <see cref="ObjectDisposedException"/>.
    /// </summary>
    public Task<T> RunAsync<T>(Func<TConnection, T> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var item = new ChdbWorkItem<TConnection, T>(work, cancellationToken);
        try
        {
            _queue.Add(item, CancellationToken.None); // never blocks: the queue is unbounded
        }
        catch (InvalidOperationException)
        {
            item.Fail(Disposed()); // closed: the queue takes no more items
        }

        return item.Task;
    }

    /// <summary>Stops taking work and fails queued items with <see cref="ObjectDisposedException"/>; running ones go on.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        _queue.CompleteAdding();
        while (_queue.TryTake(out var queued))
        {
            queued.Fail(Disposed());
        }
    }

    /// <summary>
    /// <see cref="Stop"/>s, waits up to <paramref name="timeout"/> for running statements to finish, then closes every
    /// connection once. Returns false when a statement was still running at the deadline.
    /// </summary>
    /// <remarks>
    /// It cannot deadlock on its callers: continuations never run on a worker thread (see
    /// <see cref="ChdbWorkItem{TConnection, T}"/>), and when called on a worker itself (from a result reader) it skips
    /// waiting for that thread. A connection still in use when it is closed (deadline passed, or closed from its own
    /// reader) is released by the statement that holds it: <see cref="ChdbConnectionHandle"/> is a SafeHandle, and
    /// <see cref="ChdbConnection"/> holds a reference on it for the whole native call, so chdb_close_conn runs when
    /// that call returns, never under it. Only a statement that outlives the process would leave a connection open.
    /// </remarks>
    public bool Close(TimeSpan timeout)
    {
        Stop();
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return true;
        }

        var started = Stopwatch.GetTimestamp();
        var finished = true;
        foreach (var thread in _threads.Where(t => t != Thread.CurrentThread))
        {
            var left = timeout - Stopwatch.GetElapsedTime(started);
            finished &= thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        foreach (var connection in _connections)
        {
            connection.Dispose();
        }

        // The queue is not disposed: a worker past the deadline still reads it once its statement returns.
        return finished;
    }

    private void Work(TConnection connection)
    {
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            // An item taken after Stop never starts: the connection is about to close.
            if (Volatile.Read(ref _stopped) == 1)
            {
                item.Fail(Disposed());
            }
            else
            {
                item.Run(connection);
            }
        }
    }

    private static ObjectDisposedException Disposed() => new(nameof(EmbeddedClickHouse));
}
