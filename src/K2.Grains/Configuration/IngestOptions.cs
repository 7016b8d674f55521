namespace K2.Grains.Configuration;

/// <summary>Gap repair. Bound from <c>K2:Ingest</c>.</summary>
public sealed class IngestOptions
{
    public const string Section = "K2:Ingest";

    /// <summary>
    /// How long a gap waits before it is fetched over REST: a reordered frame or an overlapping connection usually
    /// fills it within milliseconds, and a REST call that finds nothing missing is wasted weight.
    /// </summary>
    public TimeSpan GapGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Fetches of one gap before its remaining ids are declared lost (the exchange has no such trades).</summary>
    public int MaxBackfillAttempts { get; set; } = 5;

    /// <summary>Wait before fetching a gap again, times the attempt number: REST can lag the stream by a moment.</summary>
    public TimeSpan BackfillRetryDelay { get; set; } = TimeSpan.FromSeconds(3);
}
