using K2.Core;
using K2.Core.Trades;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Writers;

namespace K2.Storage.Bronze;

/// <summary>The RowBinary encoding of <see cref="BronzeTrade"/> rows for <c>bronze_trades_&lt;exchange&gt;</c> (migration 2).</summary>
public sealed class BronzeTradesTable(Exchange exchange) : IRowBinaryTable<BronzeTrade>
{
    /// <summary>RowBinary's Nullable prefix: 1 means NULL (no value follows), 0 means a value follows.</summary>
    private const byte Null = 1;
    private const byte NotNull = 0;

    public static string TableName(Exchange exchange) => $"bronze_trades_{exchange.ToName()}";

    public string Name { get; } = TableName(exchange);

    public IReadOnlyList<string> Columns { get; } =
    [
        "receipt_ts", "source", "connection_id", "frame_seq", "trade_index", "raw_symbol", "symbol", "trade_id",
        "price", "quantity", "side", "exchange_ts", "raw_frame", "reject_reason", "validation_errors", "ingest_ts",
    ];

    public void Write(RowBinaryWriter writer, in BronzeTrade row, UnixMicros ingestTime)
    {
        writer.WriteDateTime64Micros(row.ReceiptTime);
        writer.WriteEnum8((sbyte)row.Source);
        writer.WriteString(row.ConnectionId);
        writer.WriteInt64(row.FrameSequence);
        writer.WriteInt32(row.TradeIndex);
        writer.WriteString(row.RawSymbol);
        writer.WriteString(row.Instrument?.Symbol ?? "");
        writer.WriteString(row.TradeId);
        WriteNullableDecimal(writer, row.Price);
        WriteNullableDecimal(writer, row.Quantity);
        if (row.Side is { } side)
        {
            writer.WriteUInt8(NotNull);
            writer.WriteEnum8((sbyte)side);
        }
        else
        {
            writer.WriteUInt8(Null);
        }

        if (row.ExchangeTime is { } exchangeTime)
        {
            writer.WriteUInt8(NotNull);
            writer.WriteDateTime64Micros(exchangeTime);
        }
        else
        {
            writer.WriteUInt8(Null);
        }

        writer.WriteString(row.RawFrame.Span);
        writer.WriteString(row.Rejection?.Reason.ToName() ?? "");
        // Array(String): element count, then the elements.
        writer.WriteVarUInt(row.Rejection is null ? 0UL : 1UL);
        if (row.Rejection is { } rejection)
        {
            writer.WriteString(rejection.Detail);
        }

        writer.WriteDateTime64Micros(ingestTime);
    }

    /// <summary>A price or quantity that does not fit Decimal(18,8) is stored as NULL: it is in the raw frame anyway.</summary>
    private static void WriteNullableDecimal(RowBinaryWriter writer, decimal? value)
    {
        if (value is { } v && v is <= TradeValidator.MaxStorableValue and >= -TradeValidator.MaxStorableValue && decimal.Round(v, TradeValidator.MaxStorableScale) == v)
        {
            writer.WriteUInt8(NotNull);
            writer.WriteDecimal64(v, TradeValidator.MaxStorableScale);
        }
        else
        {
            writer.WriteUInt8(Null);
        }
    }
}
