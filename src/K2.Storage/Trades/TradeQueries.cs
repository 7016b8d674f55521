using System.Diagnostics;
using K2.Core;
using K2.Core.Trades;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;

namespace K2.Storage.Trades;

/// <summary>Reads trades from the hot store.</summary>
public sealed class TradeQueries(IClickHouseClient client, HotStoreOptions options, TimeProvider time)
{
    private const string Columns = "exchange, symbol, raw_symbol, trade_id, price, quantity, side, exchange_ts, receipt_ts, ingest_ts";

    /// <summary>
    /// Look-back windows for newest-first reads, tried in turn: an active instrument is answered from the last hour
    /// (a few granules, thanks to the day partitions and the minmax index), a quiet one from the last day, and only
    /// then is the whole table read.
    /// </summary>
    private static readonly TimeSpan?[] LookBack = [TimeSpan.FromHours(1), TimeSpan.FromDays(1), null];

    /// <summary>The newest <paramref name="limit"/> trades of one instrument, newest first, each exactly once.</summary>
    public async Task<IReadOnlyList<StoredTrade>> GetLatestAsync(Exchange exchange, string symbol, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);

        var now = UnixMicros.Now(time);
        foreach (var window in LookBack)
        {
            var parameters = new ClickHouseParameters()
                .Add("exchange", exchange.ToName())
                .Add("symbol", symbol)
                .Add("limit", limit);
            if (window is { } span)
            {
                parameters.Add("since", new UnixMicros(now.Value - (span.Ticks / TimeSpan.TicksPerMicrosecond)));
            }

            // FINAL deduplicates before the time filter applies, so a trade stored twice is returned once; a window
            // that already holds `limit` trades holds the newest ones. trade_id is text: ordering by length first
            // puts numeric id 100 after 99 when trades share a timestamp.
            var sql = $$"""
                SELECT {{Columns}}
                FROM {{options.Database}}.{{SilverTradesTable.TableName}} FINAL
                WHERE exchange = {exchange:String} AND symbol = {symbol:String}
                {{(window is null ? "" : "AND exchange_ts >= {since:DateTime64(6, 'UTC')}")}}
                ORDER BY exchange_ts DESC, length(trade_id) DESC, trade_id DESC
                LIMIT {limit:UInt32}
                """;
            var trades = await client.QueryAsync(sql, parameters, ClickHouseFormats.RowBinary, ReadTrades, cancellationToken);
            if (trades.Count == limit || window is null)
            {
                return trades;
            }
        }

        throw new UnreachableException("The last look-back window is unbounded.");
    }

    /// <summary>
    /// Holes in one instrument's numeric trade ids among the trades stored since <paramref name="since"/>: what was
    /// missing when K2 last stopped. Each hole carries the exchange times of the trades around it.
    /// </summary>
    public Task<IReadOnlyList<TradeGap>> FindIdGapsAsync(
        Exchange exchange, string symbol, UnixMicros since, int maxGaps, CancellationToken cancellationToken)
    {
        var sql = $$"""
            SELECT prev_id + 1, id - 1, prev_ts, ts
            FROM
            (
                SELECT id, ts, lagInFrame(id, 1, toInt64(-1)) OVER w AS prev_id, lagInFrame(ts, 1) OVER w AS prev_ts
                FROM
                (
                    SELECT toInt64(trade_id) AS id, min(exchange_ts) AS ts
                    FROM {{options.Database}}.{{SilverTradesTable.TableName}}
                    WHERE exchange = {exchange:String} AND symbol = {symbol:String}
                      AND exchange_ts >= {since:DateTime64(6, 'UTC')} AND match(trade_id, '^[0-9]{1,18}$')
                    GROUP BY id
                )
                WINDOW w AS (ORDER BY id ASC ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
            )
            WHERE prev_id >= 0 AND id > prev_id + 1
            ORDER BY id
            LIMIT {max:UInt32}
            """;
        var parameters = new ClickHouseParameters()
            .Add("exchange", exchange.ToName())
            .Add("symbol", symbol)
            .Add("since", since)
            .Add("max", maxGaps);
        return client.QueryAsync(sql, parameters, ClickHouseFormats.RowBinary, static data =>
        {
            var gaps = new List<TradeGap>();
            var reader = new RowBinaryReader(data);
            while (!reader.End)
            {
                gaps.Add(new TradeGap(reader.ReadInt64(), reader.ReadInt64(), reader.ReadDateTime64Micros(), reader.ReadDateTime64Micros()));
            }

            return (IReadOnlyList<TradeGap>)gaps;
        }, cancellationToken);
    }

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
                Side: (TradeSide)reader.ReadEnum8(),
                ExchangeTime: reader.ReadDateTime64Micros(),
                ReceiptTime: reader.ReadDateTime64Micros(),
                IngestTime: reader.ReadDateTime64Micros()));
        }

        return trades;
    }
}
