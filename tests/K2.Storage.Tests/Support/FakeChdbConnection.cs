namespace K2.Storage.Tests.Support;

/// <summary>Stands in for a chDB connection in <c>ChdbWorkerPool</c> tests: counts closes and overlapping statements.</summary>
internal sealed class FakeChdbConnection : IDisposable
{
    private int _closes;
    private int _running;
    private int _overlaps;

    public int Closes => Volatile.Read(ref _closes);

    /// <summary>How often a statement started while another one was running on this connection (must stay 0).</summary>
    public int Overlaps => Volatile.Read(ref _overlaps);

    /// <summary>Runs <paramref name="statement"/> as a statement on this connection, noting any overlap.</summary>
    public T Run<T>(Func<T> statement)
    {
        if (Interlocked.Increment(ref _running) > 1)
        {
            Interlocked.Increment(ref _overlaps);
        }

        try
        {
            return statement();
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    public void Dispose() => Interlocked.Increment(ref _closes);
}
