using K2.Core;
using K2.Core.Trades;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Trades;

namespace K2.Storage.History;

/// <summary>
/// An instrument's trades over the hot and the cold tier as one ordered stream, each trade once (by exchange, symbol
/// and trade id) at its latest version by ingest time. A trade can be in either tier or both: the hot tier keeps 30
/// days of exchange time, the offload copies by ingest time (so a late or backfilled trade reaches cold after its
/// neighbours), and the cold table keeps every version of a key it was given. The read is one statement, a union of
/// both tiers deduplicated on the key (see <see cref="TierUnion"/>); the cold side is left out while
/// <c>cold.silver_trades</c> is not in the catalog, and where the instrument's cold bounds show it adds nothing
/// (<see cref="TierChoice"/>): the latest trades of an active instrument are read from the hot tier alone. Serving order is exchange time, then trade id by (length, text).
/// </summary>
public sealed class TradeHistory(IClickHouseClient client, HotStoreOptions options, ColdTableSource cold, ColdTimeBounds coldBounds, TimeProvider time)
{
    private const string TimeColumn = "exchange_ts";

    private static readonly ColdTable Table = ColdTables.SilverTrades;

    /// <summary>Look-back windows for newest-first reads without a lower bound, as <see cref="TradeQueries"/> uses them.</summary>
    private static readonly TimeSpan?[] LookBackSpans = [TimeSpan.FromHours(1), TimeSpan.FromDays(1), null];

    /// <summary>The columns a caller may select, in table order: exchange, symbol and side as text.</summary>
    public static IReadOnlyList<string> Columns { get; } = new SilverTradesTable().Columns;

    /// <summary>
    /// The page <paramref name="query"/> asks for, in its direction; newest first without a lower bound, through
    /// look-back windows (the last hour, the last day, then everything) below the newest time the page can hold.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The limit is below 1.</exception>
    /// <exception cref="ArgumentNullException">The position has no trade id.</exception>
    public async Task<IReadOnlyList<StoredTrade>> ReadAsync(TradeHistoryQuery query, CancellationToken cancellationToken)
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
            if (TierChoice.Settles(hot, query.Limit, query.Direction, bounds!.Value, static t => t.ExchangeTime))
            {
                return hot;
            }
        }

        return await ReadPageAsync(query, plan == TierPlan.HotOnly ? null : coldRead!.Function, parameters, cancellationToken);
    }

    private async Task<IReadOnlyList<StoredTrade>> ReadPageAsync(
        TradeHistoryQuery query, string? coldFunction, ClickHouseParameters parameters, CancellationToken cancellationToken)
    {
        if (query.Direction == ReadDirection.OldestFirst)
        {
            return await RunAsync(PageText(query, coldFunction, windowed: false), parameters, cancellationToken);
        }

        var anchor = UnixMicros.Now(time);
        anchor = query.To is { } top && top < anchor ? top : anchor;
        anchor = query.After is { } after && after.ExchangeTime < anchor ? after.ExchangeTime : anchor;
        return await LookBack.ReadAsync(LookBackSpans, anchor, query.From, query.Limit, since =>
        {
            if (since is { } start)
            {
                parameters.Add("since", StoredTimeRange.Clamp(start));
            }

            return RunAsync(PageText(query, coldFunction, windowed: since is not null), parameters, cancellationToken);
        });
    }

    /// <summary>
    /// The statement that returns <paramref name="columns"/> (a selection of <see cref="Columns"/>, in any order) of every
    /// one of the trades <paramref name="query"/> asks for, for a caller that runs it in a format of its own (an export
    /// streams CSV or Parquet): no look-back windows and no page cut (see <see cref="TierUnion.SelectAll"/>). A tier
    /// that <paramref name="bounds"/> (from <see cref="BoundsAsync"/>, taken when the export began) shows without rows
    /// in the range is not read; a row that reaches the cold tier since is one the offload copied from the hot tier.
    /// </summary>
    /// <exception cref="ArgumentException">A column is not one of <see cref="Columns"/>, or none is given.</exception>
    public async Task<HistorySql> SqlAsync(TradeHistoryQuery query, IReadOnlyList<string> columns, TierBounds bounds, CancellationToken cancellationToken)
    {
        if (columns.Count == 0 || columns.Any(c => !Columns.Contains(c)))
        {
            throw new ArgumentException($"Trade history columns are {string.Join(", ", Columns)}; got {string.Join(", ", columns)}.", nameof(columns));
        }

        var (coldRead, parameters) = await PrepareAsync(query, cancellationToken);
        var cold = coldRead is not null && bounds.Cold is { } coldRows && coldRows.Overlaps(query.From, query.To);
        var hot = !cold || (bounds.Hot is { } hotRows && hotRows.Overlaps(query.From, query.To));
        return new HistorySql(
            TierUnion.SelectAll(Table, string.Join(", ", columns), options.Database, hot, cold ? coldRead!.Function : null, Filter(query, windowed: false), Order(query)),
            parameters);
    }

    /// <summary>Where the rows in <paramref name="query"/>'s range begin and end in each tier.</summary>
    public async Task<TierBounds> BoundsAsync(TradeHistoryQuery query, CancellationToken cancellationToken)
    {
        var whole = query with { After = null, Direction = ReadDirection.OldestFirst };
        var (coldRead, parameters) = await PrepareAsync(whole, cancellationToken);
        var sql = TierUnion.Bounds(Table, options.Database, coldRead?.Function, Filter(whole, windowed: false), "exchange_ts");
        return await TierBounds.ReadAsync(client, sql, parameters, cancellationToken);
    }

    /// <summary>Which tiers <paramref name="query"/> needs, by the instrument's bounds in the cold snapshot it reads (see <see cref="TierChoice"/>).</summary>
    private (TierPlan Plan, HistoryBounds? Bounds) Plan(TradeHistoryQuery query, ColdTableRead? coldRead)
    {
        HistoryBounds? bounds = null;
        var known = coldRead is not null && coldBounds.TryGet(Table, TimeColumn, coldRead, query.Exchange, query.Symbol, out bounds);
        var (lower, upper) = (query.From, query.To);
        if (query.After is { } after)
        {
            // The position is strict on (time, id): rows at its own time remain on its far side.
            if (query.Direction == ReadDirection.OldestFirst)
            {
                lower = lower is { } low && low > after.ExchangeTime ? low : after.ExchangeTime;
            }
            else
            {
                var through = new UnixMicros(after.ExchangeTime.Value + 1);
                upper = upper is { } high && high < through ? high : through;
            }
        }

        return (TierChoice.Plan(coldRead?.Function, known, bounds, lower, upper, query.Direction), bounds);
    }

    private async Task<(ColdTableRead? ColdRead, ClickHouseParameters Parameters)> PrepareAsync(TradeHistoryQuery query, CancellationToken cancellationToken)
    {
        var parameters = new ClickHouseParameters()
            .Add("exchange", query.Exchange.ToName())
            .Add("symbol", query.Symbol)
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
            ArgumentNullException.ThrowIfNull(after.TradeId, "query.After.TradeId");
            parameters.Add("after_ts", StoredTimeRange.Clamp(after.ExchangeTime)).Add("after_id", after.TradeId);
        }

        return (await cold.ReadAsync(Table, parameters, cancellationToken), parameters);
    }

    /// <summary>The statement of a page of all <see cref="Columns"/>: the hot side alone where no cold rows are read (see <see cref="TierUnion.SelectHot"/>).</summary>
    private string PageText(TradeHistoryQuery query, string? coldFunction, bool windowed) => coldFunction is null
        ? TierUnion.SelectHot(Table, Columns, options.Database, Filter(query, windowed), Order(query))
        : Text(query, Columns, coldFunction, windowed);

    private string Text(TradeHistoryQuery query, IReadOnlyList<string> columns, string? coldFunction, bool windowed) =>
        TierUnion.Select(Table, string.Join(", ", columns), options.Database, coldFunction, Filter(query, windowed), Order(query));

    private static string Order(TradeHistoryQuery query) => query.Direction == ReadDirection.OldestFirst
        ? "exchange_ts, length(trade_id), trade_id"
        : "exchange_ts DESC, length(trade_id) DESC, trade_id DESC";

    /// <summary>The condition both tiers share: instrument, range, look-back window and keyset position.</summary>
    private static string Filter(TradeHistoryQuery query, bool windowed)
    {
        const string Time = "DateTime64(6, 'UTC')";
        var filter = TierUnion.InstrumentRange("exchange_ts", query.From is not null, query.To is not null, windowed);
        if (query.After is not null)
        {
            // The plain time bound lets both tiers skip partitions and granules; the tuple is the exact position.
            var (plain, strict) = query.Direction == ReadDirection.OldestFirst ? (">=", ">") : ("<=", "<");
            filter.Add($"exchange_ts {plain} {{after_ts:{Time}}}");
            filter.Add($"(exchange_ts, length(trade_id), trade_id) {strict} ({{after_ts:{Time}}}, length({{after_id:String}}), {{after_id:String}})");
        }

        return string.Join(" AND ", filter);
    }

    private Task<IReadOnlyList<StoredTrade>> RunAsync(string sql, ClickHouseParameters parameters, CancellationToken cancellationToken) =>
        client.QueryAsync(sql, parameters, ClickHouseFormats.RowBinary, ReadTrades, cancellationToken);

    /// <summary>Rows of all <see cref="Columns"/>, in order.</summary>
    private static IReadOnlyList<StoredTrade> ReadTrades(ReadOnlySpan<byte> data)
    {
        var trades = new List<StoredTrade>();
        var reader = new RowBinaryReader(data);
        while (!reader.End)
        {
            trades.Add(new StoredTrade(
                Exchange: reader.ReadString(),
                Symbol: reader.ReadString(),
                RawSymbol: reader.ReadString(),
                TradeId: reader.ReadString(),
                Price: reader.ReadDecimal64(SilverTradesTable.AmountScale),
                Quantity: reader.ReadDecimal64(SilverTradesTable.AmountScale),
                Side: Side(reader.ReadString()),
                ExchangeTime: reader.ReadDateTime64Micros(),
                ReceiptTime: reader.ReadDateTime64Micros(),
                IngestTime: reader.ReadDateTime64Micros()));
        }

        return trades;
    }

    private static TradeSide Side(string name) => name switch
    {
        "buy" => TradeSide.Buy,
        "sell" => TradeSide.Sell,
        _ => throw new FormatException($"A stored trade has side '{name}'."),
    };
}
