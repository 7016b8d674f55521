namespace K2.Core.Trades;

/// <summary>Why a frame or trade was rejected: a small closed set, so it can tag metrics and be queried in bronze.</summary>
public enum TradeRejectReason : byte
{
    MalformedJson = 1,
    MissingField = 2,
    InvalidField = 3,
    UnknownSymbol = 4,
    InvalidPrice = 5,
    InvalidQuantity = 6,
    InvalidTimestamp = 7,
    InvalidTradeId = 8,
}

public static class TradeRejectReasonNames
{
    public static string ToName(this TradeRejectReason reason) => reason switch
    {
        TradeRejectReason.MalformedJson => "malformed_json",
        TradeRejectReason.MissingField => "missing_field",
        TradeRejectReason.InvalidField => "invalid_field",
        TradeRejectReason.UnknownSymbol => "unknown_symbol",
        TradeRejectReason.InvalidPrice => "invalid_price",
        TradeRejectReason.InvalidQuantity => "invalid_quantity",
        TradeRejectReason.InvalidTimestamp => "invalid_timestamp",
        TradeRejectReason.InvalidTradeId => "invalid_trade_id",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Unknown reject reason."),
    };
}
