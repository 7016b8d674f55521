namespace K2.Grains.Configuration;

/// <summary>Gap repair and candle rolling in the instrument grains. Bound from <c>K2:Ingest</c>.</summary>
public sealed class IngestOptions
{
    public const string Section = "K2:Ingest";

    /// <summary>
    /// How long a gap waits before it is fetched over REST: a reordered frame or an overlapping connection usually
    /// fills it within milliseconds, and a REST call that finds nothing missing is wasted weight.
    /// </summary>
    public TimeSpan GapGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Answered fetches of one gap before its remaining ids are declared lost (the exchange has no such trades). A
    /// fetch the exchange did not answer (down, refusing) is not an attempt: it is retried until it is answered.
    /// </summary>
    public int MaxBackfillAttempts { get; set; } = 5;

    /// <summary>Wait before fetching a gap again, times the attempt number: REST can lag the stream by a moment.</summary>
    public TimeSpan BackfillRetryDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Longest wait between fetches the exchange did not answer.</summary>
    public TimeSpan MaxBackfillRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How far back a resuming instrument looks in the hot store for ids that never arrived before the stop (a gap
    /// still being fetched, backfilled trades still buffered), so they are fetched again.
    /// </summary>
    public TimeSpan ResumeGapWindow { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Every instrument catches up over REST this often even when nothing looked wrong: trades a stream silently
    /// dropped just before a symbol went quiet show no gap until the next trade. One REST page per instrument per
    /// interval; zero turns it off.
    /// </summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// An active instrument silent this long is probed over REST for anything after its last trade: trades a stream
    /// dropped just before the silence show no gap until the next trade, which may not come for minutes. One page per
    /// quiet spell; probes are paced to three quarters of the exchange's REST limit and yield to gap repairs. Zero turns it off.
    /// </summary>
    public TimeSpan QuietProbeAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A gap still open this long is logged as a warning with where its repair stands (queued, waiting for the REST
    /// gate, in flight, retrying) and counted, again at every further multiple while it stays open; a gap no request
    /// covers any more is queued again.
    /// </summary>
    public TimeSpan GapOverdueAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Holes restored from storage at most, per instrument.</summary>
    public int MaxRestoredGaps { get; set; } = 1_000;

    /// <summary>
    /// How far behind an instrument's newest trade its candles stay in memory, so a late or backfilled trade corrects
    /// them at once; an older one has its buckets recomputed from the stored trades first.
    /// </summary>
    public TimeSpan CandleMemoryWindow { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Changed candles (the forming ones, and corrected ones) are written at most this often.</summary>
    public TimeSpan CandleWriteInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// When set, each candle is settled this long after its bucket closes: recomputed from the stored trades once and
    /// written again. A cluster sets it (10 s): there an instrument can be active twice for a moment while silos join or
    /// leave, and two activations rolling the same candles can store a wrong one. One silo alone never needs it.
    /// </summary>
    public TimeSpan? CandleSettleAfter { get; set; }

    /// <summary>
    /// Longest an instrument grain waits, within one call or timer tick, for room in the hot store's writers (or for a
    /// store read it needs). Then it hands the trades it has not taken back to the session or backfill, which offer
    /// them again and meanwhile read nothing more: a stalled store stops the sockets without any grain call outliving
    /// its 30 s response timeout. Must stay well under that timeout.
    /// </summary>
    public TimeSpan StoreWaitLimit { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Longest an instrument's activation keeps trying to resume from the hot store before it starts without resuming
    /// (what was missing is then found at the next restart): activation counts against the first caller's timeout.
    /// </summary>
    public TimeSpan ResumeTimeLimit { get; set; } = TimeSpan.FromSeconds(20);
}
