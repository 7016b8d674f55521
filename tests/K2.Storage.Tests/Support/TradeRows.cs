using System.Buffers;
using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Trades;

namespace K2.Storage.Tests.Support;

/// <summary>Instruments, trades and direct access to <c>silver_trades</c> for storage tests.</summary>
internal static class TradeRows
{
    public static readonly Instrument BinanceBtc = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 2, 5);
    public static readonly Instrument BinanceEth = new(Exchange.Binance, "ETH-USDT", "ETHUSDT", "ETH", "USDT", 2, 4);
    public static readonly Instrument KrakenBtc = new(Exchange.Kraken, "BTC-USD", "BTC/USD", "BTC", "USD", 1, 8, "XBTUSD");
    public static readonly Instrument CoinbaseBtc = new(Exchange.Coinbase, "BTC-USD", "BTC-USD", "BTC", "USD", 2, 8);

    /// <summary>
    /// Midnight UTC of the day the tests run. silver_trades keeps 30 days (TTL on exchange time, applied by merges
    /// against the real clock), so sample trades must be recent or a merge could drop them mid-test; this is the one
    /// reading of the wall clock in these tests, and nothing asserts on the date itself.
    /// </summary>
    public static readonly UnixMicros Day = UnixMicros.FromDateTimeOffset(new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero));

    public static Trade Make(
        Instrument instrument, long id, decimal price, decimal quantity = 1m, TradeSide side = TradeSide.Buy, long exchangeOffsetMicros = 0) =>
        new(instrument, TradeId.FromNumber(id), price, quantity, side,
            new UnixMicros(Day.Value + exchangeOffsetMicros), new UnixMicros(Day.Value + exchangeOffsetMicros + 1_500));

    /// <summary>Inserts <paramref name="trades"/> in one RowBinary insert, bypassing the batched writer.</summary>
    public static Task<long> InsertAsync(IClickHouseClient client, string database, IEnumerable<Trade> trades, UnixMicros ingestTime, CancellationToken cancellationToken)
    {
        var table = new SilverTradesTable();
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new RowBinaryWriter(buffer);
        foreach (var trade in trades)
        {
            table.Write(writer, trade, ingestTime);
        }

        return client.InsertAsync(
            $"INSERT INTO {database}.{SilverTradesTable.TableName} ({string.Join(", ", table.Columns)})",
            ClickHouseFormats.RowBinary, buffer.WrittenMemory, cancellationToken);
    }

    /// <summary>Every row of <c>silver_trades</c>, without FINAL, so duplicates show.</summary>
    public static Task<IReadOnlyList<StoredTrade>> ReadAllAsync(IClickHouseClient client, string database, CancellationToken cancellationToken) =>
        client.QueryAsync(
            $"""
            SELECT exchange, symbol, raw_symbol, trade_id, price, quantity, side, exchange_ts, receipt_ts, ingest_ts
            FROM {database}.{SilverTradesTable.TableName}
            ORDER BY exchange, symbol, toUInt64OrZero(trade_id), trade_id
            """,
            null, ClickHouseFormats.RowBinary, Decode, cancellationToken);

    /// <summary>Stops background merges, so a row inserted twice stays twice until a query deduplicates it.</summary>
    public static Task StopMergesAsync(IClickHouseClient client, string database, CancellationToken cancellationToken) =>
        client.ExecuteAsync($"SYSTEM STOP MERGES {database}.{SilverTradesTable.TableName}", null, cancellationToken);

    /// <summary>The row K2 should have stored for <paramref name="trade"/>.</summary>
    public static StoredTrade Expected(Trade trade, UnixMicros ingestTime) => new(
        trade.Exchange.ToName(), trade.Symbol, trade.Instrument.ExchangeSymbol, trade.TradeId.ToString(), trade.Price, trade.Quantity,
        trade.Side, trade.ExchangeTime, trade.ReceiptTime, ingestTime);

    private static IReadOnlyList<StoredTrade> Decode(ReadOnlySpan<byte> data)
    {
        var rows = new List<StoredTrade>();
        var reader = new RowBinaryReader(data);
        while (!reader.End)
        {
            rows.Add(new StoredTrade(
                reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(),
                reader.ReadDecimal64(SilverTradesTable.AmountScale), reader.ReadDecimal64(SilverTradesTable.AmountScale),
                (TradeSide)reader.ReadEnum8(), reader.ReadDateTime64Micros(), reader.ReadDateTime64Micros(), reader.ReadDateTime64Micros()));
        }

        return rows;
    }
}
