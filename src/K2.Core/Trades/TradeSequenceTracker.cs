namespace K2.Core.Trades;

/// <summary>
/// Which trades of one instrument K2 has already passed on, and which are missing. Binance and Kraken number trades
/// per instrument without holes, so a jump in the ids is a gap: the tracker records the missing range, and a later
/// trade inside it (from REST backfill, a Kraken snapshot, a reordered frame) fills it rather than counting as a
/// duplicate. Ranges given up as lost still take their trades if they ever come. Text ids, and numeric ids of an
/// exchange that does not number without holes, cannot show gaps; they are remembered in a bounded window instead.
/// With a clock, every gap carries the time it was found, so a repair that takes too long shows (<see cref="TakeOverdue"/>).
/// Not thread-safe: one instrument grain owns one tracker.
/// </summary>
public sealed class TradeSequenceTracker(
    bool sequentialIds = true,
    int maxOpenGaps = TradeSequenceTracker.DefaultMaxOpenGaps,
    int textIdWindow = TradeSequenceTracker.DefaultTextIdWindow,
    TimeProvider? time = null)
{
    /// <summary>Missing ranges remembered at once; beyond this the oldest are given up (and reported) first.</summary>
    public const int DefaultMaxOpenGaps = 10_000;

    /// <summary>Text ids remembered; far more than any exchange re-sends after a reconnect.</summary>
    public const int DefaultTextIdWindow = 100_000;

    // Open gaps by first missing id; ranges never overlap or touch. Lost ranges likewise, and apart from the gaps.
    private readonly SortedDictionary<long, TradeGap> _gaps = [];
    private readonly SortedDictionary<long, TradeGap> _lost = [];
    private readonly HashSet<string> _recentText = new(StringComparer.Ordinal);
    private readonly Queue<string> _textOrder = new();

    /// <summary>The highest numeric id passed on; the backfill starting point after a reconnect or restart.</summary>
    public long? HighestId { get; private set; }

    /// <summary>Exchange time of the newest trade passed on (by id for numeric ids, by time otherwise).</summary>
    public UnixMicros? NewestTime { get; private set; }

    /// <summary>Gaps still open, oldest first.</summary>
    public IReadOnlyCollection<TradeGap> OpenGaps => _gaps.Values;

    /// <summary>Numeric trades missing right now, across all open gaps.</summary>
    public long MissingCount => _gaps.Values.Sum(g => g.Count);

    /// <summary>
    /// Starts from a trade already stored (after a restart): ids at or below it are treated as passed on, and the
    /// next trade above <c>id + 1</c> opens a gap from there.
    /// </summary>
    public void ResumeAfter(long id, UnixMicros exchangeTime)
    {
        if (HighestId is null || id > HighestId)
        {
            HighestId = id;
            NewestTime = exchangeTime;
        }
    }

    /// <summary>Ranges given up as lost, oldest first; a trade arriving in one is still accepted.</summary>
    public IReadOnlyCollection<TradeGap> LostRanges => _lost.Values;

    /// <summary>True when the trade has not been passed on yet (new, or filling a gap or a lost range).</summary>
    public bool IsNew(TradeId id)
    {
        if (!IsSequence(id))
        {
            return !_recentText.Contains(id.ToString());
        }

        return HighestId is not { } highest || id.Number > highest || Find(_gaps, id.Number) is not null || Find(_lost, id.Number) is not null;
    }

    /// <summary>
    /// Reopens a gap found in storage after a restart (ids below the resume point that never arrived); ids in it are
    /// new again, and it is reported like a gap found live.
    /// </summary>
    public void RestoreGap(TradeGap gap)
    {
        if (gap.Count > 0 && GapsWithin(gap.FromId, gap.ToId).Count == 0)
        {
            _gaps[gap.FromId] = gap with { DetectedAt = gap.DetectedAt ?? Now() };
        }
    }

    /// <summary>
    /// Records a trade as passed on (call after <see cref="IsNew"/> and once the trade is safely handed over).
    /// Returns the gap this trade revealed, if it jumped past the highest id.
    /// </summary>
    public TradeGap? Record(TradeId id, UnixMicros exchangeTime)
    {
        if (!IsSequence(id))
        {
            RecordText(id.ToString());
            if (NewestTime is null || exchangeTime > NewestTime)
            {
                NewestTime = exchangeTime;
            }

            return null;
        }

        var number = id.Number;
        if (HighestId is not { } highest)
        {
            HighestId = number;
            NewestTime = exchangeTime;
            return null;
        }

        if (number <= highest)
        {
            if (!Fill(_gaps, number))
            {
                Fill(_lost, number);
            }

            return null;
        }

        TradeGap? revealed = null;
        if (number > highest + 1)
        {
            revealed = new TradeGap(highest + 1, number - 1, NewestTime, exchangeTime) { DetectedAt = Now() };
            _gaps[revealed.FromId] = revealed;
        }

        HighestId = number;
        NewestTime = exchangeTime;
        return revealed;
    }

    /// <summary>The open gaps within [<paramref name="fromId"/>, <paramref name="toId"/>], for checking what a backfill left.</summary>
    public IReadOnlyList<TradeGap> GapsWithin(long fromId, long toId) =>
        [.. _gaps.Values.Where(g => g.ToId >= fromId && g.FromId <= toId)];

    /// <summary>
    /// Stops fetching the missing ids within [<paramref name="fromId"/>, <paramref name="toId"/>] (the exchange does not
    /// return them) and returns how many were given up. They stay acceptable: should they ever arrive, they are new.
    /// </summary>
    public long Abandon(long fromId, long toId)
    {
        long abandoned = 0;
        foreach (var gap in GapsWithin(fromId, toId))
        {
            _gaps.Remove(gap.FromId);
            var keepBefore = gap with { ToId = fromId - 1 };
            var keepAfter = gap with { FromId = toId + 1 };
            var lost = gap with { FromId = Math.Max(gap.FromId, fromId), ToId = Math.Min(gap.ToId, toId) };
            abandoned += lost.Count;
            _lost[lost.FromId] = lost;
            if (keepBefore.Count > 0)
            {
                _gaps[keepBefore.FromId] = keepBefore;
            }

            if (keepAfter.Count > 0)
            {
                _gaps[keepAfter.FromId] = keepAfter;
            }
        }

        // Lost ranges are a courtesy to late trades, not a ledger: past the bound the oldest are forgotten.
        while (_lost.Count > maxOpenGaps)
        {
            _lost.Remove(_lost.First().Key);
        }

        return abandoned;
    }

    /// <summary>Drops the oldest gaps beyond the bound; returns them so the caller can report what was given up.</summary>
    public IReadOnlyList<TradeGap> TrimGaps()
    {
        var dropped = new List<TradeGap>();
        while (_gaps.Count > maxOpenGaps)
        {
            var oldest = _gaps.First();
            _gaps.Remove(oldest.Key);
            dropped.Add(oldest.Value);
        }

        return dropped;
    }

    /// <summary>
    /// The open gaps found at least <paramref name="bound"/> ago that have not been reported for their age yet: each gap
    /// once when it reaches the bound, and again at every further multiple of it while it stays open. Pieces of a partly
    /// filled gap keep its time and its reports. Empty without a clock.
    /// </summary>
    public IReadOnlyList<OverdueGap> TakeOverdue(TimeSpan bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bound, TimeSpan.Zero);
        if (time is null || _gaps.Count == 0)
        {
            return [];
        }

        var now = UnixMicros.Now(time);
        List<OverdueGap>? overdue = null;
        foreach (var gap in _gaps.Values)
        {
            if (gap.DetectedAt is { } detected && now - detected is var age && age >= bound * (gap.OverdueReports + 1))
            {
                (overdue ??= []).Add(new OverdueGap(gap with { OverdueReports = (int)(age / bound) }, age, FirstReport: gap.OverdueReports == 0));
            }
        }

        foreach (var reported in overdue ?? [])
        {
            _gaps[reported.Gap.FromId] = reported.Gap;
        }

        return overdue ?? [];
    }

    /// <summary>When the oldest open gap was found; null when none is open or the tracker has no clock.</summary>
    public UnixMicros? OldestGapDetectedAt => _gaps.Values.Select(g => g.DetectedAt).Min();

    private UnixMicros? Now() => time is null ? null : UnixMicros.Now(time);

    private bool IsSequence(TradeId id) => sequentialIds && id.IsNumeric;

    private static TradeGap? Find(SortedDictionary<long, TradeGap> ranges, long id)
    {
        // Ranges are few (usually none); a linear scan over the sorted ranges is cheaper than an interval tree here.
        foreach (var gap in ranges.Values)
        {
            if (id < gap.FromId)
            {
                return null;
            }

            if (id <= gap.ToId)
            {
                return gap;
            }
        }

        return null;
    }

    /// <summary>Takes <paramref name="id"/> out of the range holding it; false when no range holds it.</summary>
    private static bool Fill(SortedDictionary<long, TradeGap> ranges, long id)
    {
        if (Find(ranges, id) is not { } gap)
        {
            return false;
        }

        ranges.Remove(gap.FromId);
        if (id > gap.FromId)
        {
            ranges[gap.FromId] = gap with { ToId = id - 1 };
        }

        if (id < gap.ToId)
        {
            ranges[id + 1] = gap with { FromId = id + 1 };
        }

        return true;
    }

    private void RecordText(string text)
    {
        if (!_recentText.Add(text))
        {
            return;
        }

        _textOrder.Enqueue(text);
        if (_textOrder.Count > textIdWindow)
        {
            _recentText.Remove(_textOrder.Dequeue());
        }
    }
}

/// <summary>
/// Numeric trade ids [<see cref="FromId"/>, <see cref="ToId"/>] of one instrument that never arrived, with the exchange
/// times of the trades around them (null when unknown), which exchanges without id lookups page by.
/// </summary>
public sealed record TradeGap(long FromId, long ToId, UnixMicros? After, UnixMicros? Before)
{
    public long Count => ToId - FromId + 1;

    /// <summary>When K2 found the gap (live, or in the store on resume); pieces of a partly filled gap keep it. Null without a clock.</summary>
    public UnixMicros? DetectedAt { get; init; }

    /// <summary>How many bounds of age the gap (or the gap it is a piece of) has been reported for.</summary>
    public int OverdueReports { get; init; }
}

/// <summary>An open gap reported for its age; <see cref="FirstReport"/> the first time it (or the gap it is a piece of) passed the bound.</summary>
public sealed record OverdueGap(TradeGap Gap, TimeSpan Age, bool FirstReport);
