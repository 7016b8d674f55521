namespace K2.Storage.Writers;

/// <summary>Batching and back-pressure for the table writers. Bound from <c>K2:Storage:Writers</c>.</summary>
public sealed class BatchedWriterOptions
{
    public const string Section = "K2:Storage:Writers";

    /// <summary>A batch is written once it holds this many rows…</summary>
    public int MaxBatchRows { get; set; } = 10_000;

    /// <summary>
    /// When rows are already waiting (the store fell behind, or was down), a batch takes up to this many of them in one
    /// insert: each insert costs a new part on disk whatever its size, so fewer, larger inserts let a backlog drain at
    /// roughly twice the rate. At live rates batches stay at <see cref="MaxBatchRows"/> or below. Never below
    /// <see cref="MaxBatchRows"/>.
    /// </summary>
    public int MaxBacklogBatchRows { get; set; } = 50_000;

    /// <summary>…or once its first row has waited this long, whichever comes first.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Rows buffered ahead of the store. When full, producers wait: back-pressure instead of unbounded memory.</summary>
    public int MaxBufferedRows { get; set; } = 200_000;

    /// <summary>First wait after a failed insert; doubles up to <see cref="MaxRetryDelay"/>, with jitter.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long shutdown keeps retrying the last batches before giving up on them.</summary>
    public TimeSpan ShutdownFlushTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
