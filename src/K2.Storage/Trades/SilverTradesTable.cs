using K2.Core;
using K2.Core.Trades;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Writers;

namespace K2.Storage.Trades;

/// <summary>The RowBinary encoding of <see cref="Trade"/> rows for <c>silver_trades</c> (migration 1).</summary>
public sealed class SilverTradesTable : IRowBinaryTable<Trade>
{
    public const string TableName = "silver_trades";

    /// <summary>Decimal(18, 8).</summary>
    public const int AmountScale = 8;

    /// <summary>Enum8 values of the <c>side</c> column; equal to <see cref="TradeSide"/>'s values by design.</summary>
    private static sbyte SideValue(TradeSide side) => (sbyte)side;

    public string Name => TableName;

    public IReadOnlyList<string> Columns { get; } =
        ["exchange", "symbol", "raw_symbol", "trade_id", "price", "quantity", "side", "exchange_ts", "receipt_ts", "ingest_ts"];

    public void Write(RowBinaryWriter writer, in Trade row, UnixMicros ingestTime)
    {
        Span<byte> id = stackalloc byte[64];
        writer.WriteString(row.Exchange.ToName());
        writer.WriteString(row.Instrument.Symbol);
        writer.WriteString(row.Instrument.ExchangeSymbol);
        if (row.TradeId.TryFormatUtf8(id, out var idLength))
        {
            writer.WriteString(id[..idLength]);
        }
        else
        {
            writer.WriteString(row.TradeId.ToString());
        }

        writer.WriteDecimal64(row.Price, AmountScale);
        writer.WriteDecimal64(row.Quantity, AmountScale);
        writer.WriteEnum8(SideValue(row.Side));
        writer.WriteDateTime64Micros(row.ExchangeTime);
        writer.WriteDateTime64Micros(row.ReceiptTime);
        writer.WriteDateTime64Micros(ingestTime);
    }
}
