using K2.Storage.ClickHouse.Embedded;
using K2.Storage.Tests.Support;

namespace K2.Storage.Tests.ClickHouse.Embedded;

/// <summary>
/// The worker pool's threading and shutdown rules, with fake connections. Closing the real engine while a statement
/// runs cannot be tested in this process: chDB allows one data path per process and the assembly fixture holds it, so
/// a second <see cref="EmbeddedClickHouse"/> cannot be opened here. The pool is where those rules live, so it is
/// tested directly; what the fake cannot show is that a real connection closed under a running statement is only
/// released when that statement returns (ChdbConnection holds a SafeHandle reference for the whole native call).
/// </summary>
public sealed class ChdbWorkerPoolTests
{
    /// <summary>Only reached when a test fails; nothing here waits for it in a passing run.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Work_runs_on_named_background_threads_one_statement_per_connection_at_a_time()
    {
        FakeChdbConnection[] connections = [new(), new()];
        var pool = new ChdbWorkerPool<FakeChdbConnection>("insert", connections);
        using var barrier = new Barrier(connections.Length);

        // Two statements that can only finish together: one on each thread.
        var threads = await Task.WhenAll(Enumerable.Range(0, connections.Length).Select(_ => pool.RunAsync(
            c => c.Run(() => barrier.SignalAndWait(Bound) ? Thread.CurrentThread : null),
            Ct)));
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => pool.RunAsync(c => c.Run(Thread.Yield), Ct)));

        threads.Select(t => t.ShouldNotBeNull().Name).Order().ShouldBe(["chdb-insert-0", "chdb-insert-1"]);
        threads.ShouldAllBe(t => t!.IsBackground && !t.IsThreadPoolThread);
        connections.Sum(c => c.Overlaps).ShouldBe(0);
        pool.Close(Bound).ShouldBeTrue();
    }

    [Fact]
    public async Task An_exception_in_the_work_reaches_the_caller_and_the_connection_stays_usable()
    {
        var pool = new ChdbWorkerPool<FakeChdbConnection>("query", [new()]);

        var error = await Should.ThrowAsync<InvalidDataException>(pool.RunAsync<int>(_ => throw new InvalidDataException("reader failed"), Ct));

        error.Message.ShouldBe("reader failed");
        (await pool.RunAsync(_ => 42, Ct)).ShouldBe(42);
        pool.Close(Bound).ShouldBeTrue();
    }

    [Fact]
    public async Task A_request_cancelled_before_it_starts_never_runs()
    {
        var pool = new ChdbWorkerPool<FakeChdbConnection>("query", [new()]);
        using var busy = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var blocker = pool.RunAsync(_ => Block(busy, release), Ct);
        busy.Wait(Bound, Ct).ShouldBeTrue();
        using var alreadyCancelled = new CancellationTokenSource();
        await alreadyCancelled.CancelAsync();
        using var cancelledWhileQueued = new CancellationTokenSource();
        var runs = 0;

        var rejected = pool.RunAsync(_ => Interlocked.Increment(ref runs), alreadyCancelled.Token);
        var queued = pool.RunAsync(_ => Interlocked.Increment(ref runs), cancelledWhileQueued.Token);
        queued.IsCompleted.ShouldBeFalse();
        await cancelledWhileQueued.CancelAsync();

        // Both end while the only connection is still busy: a queued caller does not wait for a connection to cancel.
        await Should.ThrowAsync<TaskCanceledException>(rejected);
        await Should.ThrowAsync<TaskCanceledException>(queued.WaitAsync(Bound, Ct));
        release.Set();
        (await blocker).ShouldBeTrue();
        (await pool.RunAsync(_ => Volatile.Read(ref runs), Ct)).ShouldBe(0);
        pool.Close(Bound).ShouldBeTrue();
    }

    [Fact]
    public async Task Close_waits_for_the_running_statement_fails_queued_ones_and_closes_each_connection_once()
    {
        var connection = new FakeChdbConnection();
        var pool = new ChdbWorkerPool<FakeChdbConnection>("query", [connection]);
        using var busy = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var running = pool.RunAsync(_ => Block(busy, release), Ct);
        busy.Wait(Bound, Ct).ShouldBeTrue();
        var queued = pool.RunAsync(_ => true, Ct);

        var closing = Task.Run(() => pool.Close(Bound), Ct);

        // The queued item fails as soon as Close begins; the running one holds Close and its connection open.
        await Should.ThrowAsync<ObjectDisposedException>(queued.WaitAsync(Bound, Ct));
        closing.IsCompleted.ShouldBeFalse();
        connection.Closes.ShouldBe(0);
        release.Set();
        (await closing).ShouldBeTrue();
        (await running).ShouldBeTrue();
        connection.Closes.ShouldBe(1);
        await Should.ThrowAsync<ObjectDisposedException>(pool.RunAsync(_ => true, Ct));
        pool.Close(Bound).ShouldBeTrue();
        connection.Closes.ShouldBe(1);
    }

    [Fact]
    public async Task Close_gives_up_waiting_after_its_timeout()
    {
        var pool = new ChdbWorkerPool<FakeChdbConnection>("query", [new()]);
        using var busy = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var running = pool.RunAsync(_ => Block(busy, release), Ct);
        busy.Wait(Bound, Ct).ShouldBeTrue();

        pool.Close(TimeSpan.FromMilliseconds(50)).ShouldBeFalse();

        release.Set();
        (await running).ShouldBeTrue();
    }

    [Fact]
    public async Task Close_from_a_continuation_of_the_work_does_not_deadlock()
    {
        var connection = new FakeChdbConnection();
        var pool = new ChdbWorkerPool<FakeChdbConnection>("query", [connection]);

        // ExecuteSynchronously would put this continuation on the worker thread, where Close would wait for itself,
        // were the completion not forced to run its continuations asynchronously.
        var (thread, closed) = await pool.RunAsync(_ => 1, Ct)
            .ContinueWith(_ => (Thread.CurrentThread, pool.Close(Bound)), Ct, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
            .WaitAsync(Bound, Ct);

        thread.Name.ShouldNotStartWith("chdb-");
        closed.ShouldBeTrue();
        connection.Closes.ShouldBe(1);
    }

    [Fact]
    public async Task Close_from_the_work_itself_does_not_deadlock()
    {
        var pool = new ChdbWorkerPool<FakeChdbConnection>("query", [new(), new()]);

        (await pool.RunAsync(_ => pool.Close(Bound), Ct).WaitAsync(Bound, Ct)).ShouldBeTrue();

        await Should.ThrowAsync<ObjectDisposedException>(pool.RunAsync(_ => true, Ct));
    }

    /// <summary>A statement that signals <paramref name="busy"/> and runs until <paramref name="release"/> is set.</summary>
    private static bool Block(ManualResetEventSlim busy, ManualResetEventSlim release)
    {
        busy.Set();
        return release.Wait(Bound);
    }
}
