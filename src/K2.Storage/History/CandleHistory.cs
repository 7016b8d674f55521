using K2.Core;
using K2.Core.Candles;
using K2.Storage.Candles;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Iceberg.Metadata;

namespace K2.Storage.History;

/// <summary>
/// An instrument's candles of one timeframe over the hot and the cold tier as one ordered stream, each bucket once at
/// its highest version. A candle can be in either tier or both: the hot tier keeps 30 days of buckets, the offload
/// copies by <c>updated_at</c> (a correction is a new row with a higher version that reaches cold later), and the cold
/// table <c>cold.gold_ohlcv_&lt;tf&gt;</c> keeps every version it was given. The read is one statement, a union of both
/// tiers deduplicated on the bucket (see <see cref="TierUnion"/>); the cold side is left out while the timeframe's table
/// is not in the catalog, and where the instrument's cold bounds show it adds nothing (<see cref="TierChoice"/>).
/// A range read with both tiers runs each tier's side on its own instead and merges them here, keeping the cold page
/// for its snapshot (<see cref="ColdPageCache"/>); on the embedded engine the hot page of a range is kept too, until a
/// candle lands in it (<see cref="HotCandlePages"/>): a chart that polls a day of the past is then answered from memory.
/// </summary>
public sealed class CandleHistory(
    IClickHouseClient client, HotStoreOptions options, ColdTableSource cold, ColdTimeBounds coldBounds, ColdPageCache coldPages, TimeProvider time,
    HotCandlePages? hotPages = null)
{
    private const string TimeframeColumn = "timeframe";

    private const string TimeColumn = "bucket_start";

    /// <summary>Buckets beyond which a look-back window (centuries of 1d candles) narrows nothing, and its span would overflow.</summary>
    private const long MaxWindowBuckets = 100_000;

    /// <summary>
    /// The columns a caller may select, in the hot table's order: the cold table's (exchange and symbol as text) and
    /// <c>timeframe</c>, which the cold table holds in its name.
    /// </summary>
    public static IReadOnlyList<string> Columns { get; } = new OhlcvTable().Columns;

    /// <summary>What <see cref="ReadAsync"/> selects: a candle without its instrument and timeframe, which the query gives.</summary>
    private static readonly string[] ReadColumns =
        ["bucket_start", "open", "high", "low", "close", "volume", "quote_volume", "buy_volume", "sell_volume", "trade_count", "vwap", "version"];

    /// <summary>
    /// The page <paramref name="query"/> asks for, in its direction; newest first without a lower bound, through a
    /// look-back window of the page's span of buckets (then everything) below the newest time the page can hold.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The limit is below 1.</exception>
    public async Task<IReadOnlyList<StoredCandle>> ReadAsync(CandleHistoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        if (query.From is { } from && query.To is { } to && from >= to)
        {
            return [];
        }

        var (coldRead, parameters) = await PrepareAsync(query, cancellationToken);
        var (plan, bounds) = Plan(query, coldRead);
        if (plan == TierPlan.HotFirst)
        {
            var hot = await ReadPageAsync(query, null, parameters, cancellationToken);
            if (TierChoice.Settles(hot, query.Limit, query.Direction, bounds!.Value, static c => c.BucketStart))
            {
                return hot;
            }
        }

        return await ReadPageAsync(query, plan == TierPlan.HotOnly ? null : coldRead, parameters, cancellationToken);
    }

    private async Task<IReadOnlyList<StoredCandle>> ReadPageAsync(
        CandleHistoryQuery query, ColdTableRead? coldRead, ClickHouseParameters parameters, CancellationToken cancellationToken)
    {
        if (query.Direction == ReadDirection.OldestFirst)
        {
            Task<IReadOnlyList<StoredCandle>> ReadHot() => RunAsync(query, PageText(query, null, windowed: false), parameters, cancellationToken);
            var hot = hotPages is null ? ReadHot() : hotPages.GetOrReadAsync(query, ReadHot);
            if (coldRead is null)
            {
                return await hot;
            }

            // Both sides at once: the hot read on the store, the cold one kept from an earlier request or read beside it.
            var coldSql = TierUnion.SelectCold(ColdTables.GoldOhlcv(query.Timeframe), SelectList(ReadColumns), coldRead.Function, Filter(query, windowed: false), Order(query));
            var coldPage = await coldPages.GetOrReadAsync(coldRead, coldSql, parameters, () => RunAsync(query, coldSql, parameters, cancellationToken));
            return Merge(await hot, coldPage, query.Limit);
        }

        // Newest first, through look-back windows that follow the clock: one statement, as no two reads ask the same.
        var coldFunction = coldRead?.Function;

        var anchor = UnixMicros.Now(time);
        anchor = query.To is { } top && top < anchor ? top : anchor;
        anchor = query.After is { } after && after < anchor ? after : anchor;
        // A full page of buckets with none missing, and the one still open: an instrument that trades fills it.
        var buckets = Math.Min(query.Limit + 1L, MaxWindowBuckets);
        var page = TimeSpan.FromTicks(buckets * query.Timeframe.DurationMicros() * TimeSpan.TicksPerMicrosecond);
        return await LookBack.ReadAsync([page, null], anchor, query.From, query.Limit, since =>
        {
            if (since is { } start)
            {
                parameters.Add("since", StoredTimeRange.Clamp(start));
            }

            return RunAsync(query, PageText(query, coldFunction, windowed: since is not null), parameters, cancellationToken);
        });
    }

    /// <summary>
    /// The statement that returns <paramref name="columns"/> (a selection of <see cref="Columns"/>, in any order) of every
    /// one of the candles <paramref name="query"/> asks for, for a caller that runs it in a format of its own (an export
    /// streams CSV or Parquet): no look-back windows and no page cut (see <see cref="TierUnion.SelectAll"/>). A tier
    /// that <paramref name="bounds"/> (from <see cref="BoundsAsync"/>, taken when the export began) shows without rows
    /// in the range is not read; a row that reaches the cold tier since is one the offload copied from the hot tier.
    /// </summary>
    /// <exception cref="ArgumentException">A column is not one of <see cref="Columns"/>, or none is given.</exception>
    public async Task<HistorySql> SqlAsync(CandleHistoryQuery query, IReadOnlyList<string> columns, TierBounds bounds, CancellationToken cancellationToken)
    {
        if (columns.Count == 0 || columns.Any(c => !Columns.Contains(c)))
        {
            throw new ArgumentException($"Candle history columns are {string.Join(", ", Columns)}; got {string.Join(", ", columns)}.", nameof(columns));
        }

        var (coldRead, parameters) = await PrepareAsync(query, cancellationToken);
        var cold = coldRead is not null && bounds.Cold is { } coldRows && coldRows.Overlaps(query.From, query.To);
        var hot = !cold || (bounds.Hot is { } hotRows && hotRows.Overlaps(query.From, query.To));
        return new HistorySql(
            TierUnion.SelectAll(ColdTables.GoldOhlcv(query.Timeframe), SelectList(columns), options.Database, hot, cold ? coldRead!.Function : null, Filter(query, windowed: false), Order(query)),
            parameters);
    }

    /// <summary>Where the rows in <paramref name="query"/>'s range begin and end in each tier.</summary>
    public async Task<TierBounds> BoundsAsync(CandleHistoryQuery query, CancellationToken cancellationToken)
    {
        var whole = query with { After = null, Direction = ReadDirection.OldestFirst };
        var (coldRead, parameters) = await PrepareAsync(whole, cancellationToken);
        var sql = TierUnion.Bounds(ColdTables.GoldOhlcv(whole.Timeframe), options.Database, coldRead?.Function, Filter(whole, windowed: false), "bucket_start");
        return await TierBounds.ReadAsync(client, sql, parameters, cancellationToken);
    }

    /// <summary>Which tiers <paramref name="query"/> needs, by the instrument's bounds in the cold snapshot it reads (see <see cref="TierChoice"/>).</summary>
    private (TierPlan Plan, HistoryBounds? Bounds) Plan(CandleHistoryQuery query, ColdTableRead? coldRead)
    {
        HistoryBounds? bounds = null;
        var known = coldRead is not null
            && coldBounds.TryGet(ColdTables.GoldOhlcv(query.Timeframe), TimeColumn, coldRead, query.Exchange, query.Symbol, out bounds);
        var (lower, upper) = (query.From, query.To);
        if (query.After is { } after)
        {
            if (query.Direction == ReadDirection.OldestFirst)
            {
                var past = new UnixMicros(after.Value + 1);
                lower = lower is { } low && low > past ? low : past;
            }
            else
            {
                upper = upper is { } high && high < after ? high : after;
            }
        }

        return (TierChoice.Plan(coldRead?.Function, known, bounds, lower, upper, query.Direction), bounds);
    }

    private async Task<(ColdTableRead? ColdRead, ClickHouseParameters Parameters)> PrepareAsync(CandleHistoryQuery query, CancellationToken cancellationToken)
    {
        var parameters = new ClickHouseParameters()
            .Add("exchange", query.Exchange.ToName())
            .Add("symbol", query.Symbol)
            .Add(TimeframeColumn, query.Timeframe.ToName())
            .Add("limit", query.Limit);
        if (query.From is { } from)
        {
            parameters.Add("from", StoredTimeRange.Clamp(from));
        }

        if (query.To is { } to)
        {
            parameters.Add("to", StoredTimeRange.Clamp(to));
        }

        if (query.After is { } after)
        {
            parameters.Add("after", StoredTimeRange.Clamp(after));
        }

        return (await cold.ReadAsync(ColdTables.GoldOhlcv(query.Timeframe), parameters, cancellationToken), parameters);
    }

    /// <summary>The statement of a page of <see cref="ReadColumns"/>: the hot side alone where no cold rows are read (see <see cref="TierUnion.SelectHot"/>).</summary>
    private string PageText(CandleHistoryQuery query, string? coldFunction, bool windowed) => coldFunction is null
        ? TierUnion.SelectHot(ColdTables.GoldOhlcv(query.Timeframe), ReadColumns, options.Database, Filter(query, windowed), Order(query))
        : Text(query, ReadColumns, coldFunction, windowed);

    private string Text(CandleHistoryQuery query, IReadOnlyList<string> columns, string? coldFunction, bool windowed) =>
        TierUnion.Select(ColdTables.GoldOhlcv(query.Timeframe), SelectList(columns), options.Database, coldFunction, Filter(query, windowed), Order(query));

    /// <summary>The timeframe is the cold table's name, not a column: the union carries the cold table's columns only.</summary>
    private static string SelectList(IReadOnlyList<string> columns) =>
        string.Join(", ", columns.Select(c => c == TimeframeColumn ? $"{{{TimeframeColumn}:String}} AS {TimeframeColumn}" : c));

    private static string Order(CandleHistoryQuery query) => query.Direction == ReadDirection.OldestFirst ? "bucket_start" : "bucket_start DESC";

    /// <summary>
    /// The union of two oldest-first pages that each hold a bucket once, cut to <paramref name="limit"/>, as
    /// <see cref="TierUnion.Select"/> merges them: a bucket in both tiers at its higher version; on equal versions the
    /// hot row, which landed last (a cold row is a copy the offload made of a hot one).
    /// </summary>
    private static List<StoredCandle> Merge(IReadOnlyList<StoredCandle> hot, IReadOnlyList<StoredCandle> cold, int limit)
    {
        var merged = new List<StoredCandle>(Math.Min(limit, hot.Count + cold.Count));
        var (h, c) = (0, 0);
        while (merged.Count < limit && (h < hot.Count || c < cold.Count))
        {
            var order = h == hot.Count ? 1 : c == cold.Count ? -1 : hot[h].BucketStart.Value.CompareTo(cold[c].BucketStart.Value);
            if (order < 0)
            {
                merged.Add(hot[h++]);
            }
            else if (order > 0)
            {
                merged.Add(cold[c++]);
            }
            else
            {
                merged.Add(cold[c].Version > hot[h].Version ? cold[c] : hot[h]);
                (h, c) = (h + 1, c + 1);
            }
        }

        return merged;
    }

    /// <summary>The condition both tiers share: instrument, range, look-back window and keyset position.</summary>
    private static string Filter(CandleHistoryQuery query, bool windowed)
    {
        var filter = TierUnion.InstrumentRange("bucket_start", query.From is not null, query.To is not null, windowed);
        if (query.After is not null)
        {
            filter.Add($"bucket_start {(query.Direction == ReadDirection.OldestFirst ? ">" : "<")} {{after:DateTime64(6, 'UTC')}}");
        }

        return string.Join(" AND ", filter);
    }

    private Task<IReadOnlyList<StoredCandle>> RunAsync(CandleHistoryQuery query, string sql, ClickHouseParameters parameters, CancellationToken cancellationToken) =>
        client.QueryAsync<IReadOnlyList<StoredCandle>>(sql, parameters, ClickHouseFormats.RowBinary, data =>
        {
            var candles = new List<StoredCandle>();
            var reader = new RowBinaryReader(data);
            while (!reader.End)
            {
                candles.Add(new StoredCandle(
                    query.Exchange, query.Symbol, query.Timeframe, reader.ReadDateTime64Micros(),
                    reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(),
                    reader.ReadDecimal128Units(), reader.ReadDecimal128Units(), reader.ReadDecimal128Units(), reader.ReadDecimal128Units(),
                    reader.ReadInt64(), reader.ReadDecimal128Units(), reader.ReadInt64()));
            }

            return candles;
        }, cancellationToken);
}
