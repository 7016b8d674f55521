using K2.Core;
using K2.Core.Instruments;

namespace K2.Grains.Backfill;

/// <summary>Why trades are fetched from the exchange's REST API.</summary>
public enum BackfillReason : byte
{
    /// <summary>Trade ids jumped: exactly [FromId, ToId] is missing.</summary>
    Gap,

    /// <summary>
    /// The stream may have lost trades without showing where (a reconnect, a restart, a sequence gap): fetch everything
    /// after the last trade passed on, up to the present. Overlap with the stream is dropped as duplicates.
    /// </summary>
    CatchUp,

    /// <summary>
    /// An active instrument went quiet: fetch anything after the last trade passed on, in case the stream dropped the
    /// last trades before the silence (no later trade would show the gap). Taken only when no repair is due, and paced.
    /// </summary>
    Probe,

    /// <summary>
    /// An operator asked for the trades in [After, Before) (<c>POST /v1/admin/backfill</c>), whatever K2 already has and
    /// however old: they are stored as fetched (<see cref="RequestedBackfillStore"/>), not through the instrument's id
    /// tracker, which knows nothing of trades before its resume point and would drop them as duplicates.
    /// </summary>
    Requested,
}

/// <summary>
/// Trades of one instrument to fetch over REST: by id range where the exchange pages by id, else by the exchange times
/// around the gap (trades at exactly <see cref="After"/> are fetched again and dropped as duplicates). Open-ended
/// (<see cref="ToId"/> and <see cref="Before"/> null) means "up to the present". <see cref="Attempt"/> counts fetches
/// the exchange answered; <see cref="Failures"/> the ones it did not, in a row.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record BackfillRequest(
    Instrument Instrument,
    BackfillReason Reason,
    long? FromId,
    long? ToId,
    UnixMicros? After,
    UnixMicros? Before,
    int Attempt = 1,
    int Failures = 0)
{
    public override string ToString() =>
        $"{Instrument.Key} {Reason} ids {FromId?.ToString() ?? "?"}..{ToId?.ToString() ?? "now"} " +
        $"times {After?.ToString() ?? "?"}..{Before?.ToString() ?? "now"} (attempt {Attempt})";
}

/// <summary>
/// What an exchange grain did with a backfill request: queued it (or refused it, the queue being full) in the queue
/// <see cref="QueueId"/>, behind <see cref="Ahead"/> requests.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record BackfillReceipt(Guid QueueId, bool Queued, int Ahead = 0);
