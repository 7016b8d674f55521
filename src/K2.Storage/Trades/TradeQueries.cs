using K2.Core;
using K2.Core.Trades;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;

namespace K2.Storage.Trades;

/// <summary>Reads trades from the hot store.</summary>
public sealed class TradeQueries(IClickHouseClient client, HotStoreOptions options)
{
    private const string Columns = "exchange, symbol, raw_symbol, trade_id, price, quantity, side, exchange_ts, receipt_ts, ingest_ts";

    /// <summary>The newest <paramref name="limit"/> trades of one instrument, newest first, each exactly once.</summary>
    public Task<IReadOnlyList<StoredTrade>> GetLatestAsync(Exchange exchange, string symbol, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);

        // FINAL applies the ReplacingMergeTree deduplication at read time, so a trade stored twice is returned once.
        // trade_id is text: within one timestamp, ordering by length first puts numeric id 100 after 99.
        var sql = $$"""
            SELECT {{Columns}}
            FROM {{options.Database}}.{{SilverTradesTable.TableName}} FINAL
            WHERE exchange = {exchange:String} AND symbol = {symbol:String}
            ORDER BY exchange_ts DESC, length(trade_id) DESC, trade_id DESC
            LIMIT {limit:UInt32}
            """;
        var parameters = new ClickHouseParameters()
            .Add("exchange", exchange.ToName())
            .Add("symbol", symbol)
            .Add("limit", limit);
        return client.QueryAsync(sql, parameters, ClickHouseFormats.RowBinary, ReadTrades, cancellationToken);
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
