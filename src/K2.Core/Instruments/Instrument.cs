namespace K2.Core.Instruments;

/// <summary>
/// One tradable pair on one exchange, as declared in <c>config/instruments.yaml</c>.
/// </summary>
/// <param name="Exchange">The exchange that lists the pair.</param>
/// <param name="Symbol">Canonical symbol, <c>BASE-QUOTE</c> in upper case (e.g. <c>BTC-USD</c>).</param>
/// <param name="ExchangeSymbol">The exchange's own symbol on its WebSocket API (e.g. <c>BTCUSDT</c>, <c>BTC/USD</c>).</param>
/// <param name="BaseAsset">Canonical base asset (e.g. <c>BTC</c>).</param>
/// <param name="QuoteAsset">Canonical quote asset (e.g. <c>USDT</c>).</param>
/// <param name="PriceScale">Decimal places of the exchange's price tick.</param>
/// <param name="QuantityScale">Decimal places of the exchange's quantity step.</param>
/// <param name="RestSymbol">The symbol on the exchange's REST API where it differs (Kraken's <c>XBTUSD</c>).</param>
public sealed record Instrument(
    Exchange Exchange,
    string Symbol,
    string ExchangeSymbol,
    string BaseAsset,
    string QuoteAsset,
    int PriceScale,
    int QuantityScale,
    string? RestSymbol = null)
{
    /// <summary>The largest scale K2 stores exactly (ClickHouse <c>Decimal(18,8)</c>).</summary>
    public const int MaxScale = 8;

    /// <summary>Grain key and log name: <c>binance/BTC-USDT</c>.</summary>
    public string Key => $"{Exchange.ToName()}/{Symbol}";

    public override string ToString() => Key;
}
