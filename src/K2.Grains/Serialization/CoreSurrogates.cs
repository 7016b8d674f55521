using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using Orleans.Serialization.Cloning;

namespace K2.Grains.Serialization;

// K2.Core stays free of Orleans: its types that cross grain calls are serialized through these surrogates. Instruments
// and trades are immutable, so copies for calls inside one silo hand over the same object rather than a deep copy.

[GenerateSerializer, Immutable]
public struct UnixMicrosSurrogate
{
    [Id(0)] public long Value;
}

[RegisterConverter]
public sealed class UnixMicrosConverter : IConverter<UnixMicros, UnixMicrosSurrogate>
{
    public UnixMicros ConvertFromSurrogate(in UnixMicrosSurrogate surrogate) => new(surrogate.Value);

    public UnixMicrosSurrogate ConvertToSurrogate(in UnixMicros value) => new() { Value = value.Value };
}

/// <summary>A trade id: the number, or the text when the exchange's id is not numeric.</summary>
[GenerateSerializer, Immutable]
public struct TradeIdSurrogate
{
    [Id(0)] public long Number;
    [Id(1)] public string? Text;
}

[RegisterConverter]
public sealed class TradeIdConverter : IConverter<TradeId, TradeIdSurrogate>
{
    public TradeId ConvertFromSurrogate(in TradeIdSurrogate surrogate) =>
        surrogate.Text is null ? TradeId.FromNumber(surrogate.Number) : TradeId.FromText(surrogate.Text);

    public TradeIdSurrogate ConvertToSurrogate(in TradeId value) =>
        value.IsNumeric ? new() { Number = value.Number } : new() { Text = value.ToString() };
}

[GenerateSerializer, Immutable]
public struct InstrumentSurrogate
{
    [Id(0)] public Exchange Exchange;
    [Id(1)] public string Symbol;
    [Id(2)] public string ExchangeSymbol;
    [Id(3)] public string BaseAsset;
    [Id(4)] public string QuoteAsset;
    [Id(5)] public int PriceScale;
    [Id(6)] public int QuantityScale;
    [Id(7)] public string? RestSymbol;
}

[RegisterConverter]
public sealed class InstrumentConverter : IConverter<Instrument, InstrumentSurrogate>
{
    public Instrument ConvertFromSurrogate(in InstrumentSurrogate s) =>
        new(s.Exchange, s.Symbol, s.ExchangeSymbol, s.BaseAsset, s.QuoteAsset, s.PriceScale, s.QuantityScale, s.RestSymbol);

    public InstrumentSurrogate ConvertToSurrogate(in Instrument value) => new()
    {
        Exchange = value.Exchange,
        Symbol = value.Symbol,
        ExchangeSymbol = value.ExchangeSymbol,
        BaseAsset = value.BaseAsset,
        QuoteAsset = value.QuoteAsset,
        PriceScale = value.PriceScale,
        QuantityScale = value.QuantityScale,
        RestSymbol = value.RestSymbol,
    };
}

[RegisterCopier]
public sealed class InstrumentCopier : IDeepCopier<Instrument>, IOptionalDeepCopier
{
    public Instrument? DeepCopy(Instrument? input, CopyContext context) => input;

    public bool IsShallowCopyable() => true;
}

[GenerateSerializer, Immutable]
public struct TradeSurrogate
{
    [Id(0)] public Instrument Instrument;
    [Id(1)] public TradeId TradeId;
    [Id(2)] public decimal Price;
    [Id(3)] public decimal Quantity;
    [Id(4)] public TradeSide Side;
    [Id(5)] public UnixMicros ExchangeTime;
    [Id(6)] public UnixMicros ReceiptTime;
}

[RegisterConverter]
public sealed class TradeConverter : IConverter<Trade, TradeSurrogate>
{
    public Trade ConvertFromSurrogate(in TradeSurrogate s) => new(s.Instrument, s.TradeId, s.Price, s.Quantity, s.Side, s.ExchangeTime, s.ReceiptTime);

    public TradeSurrogate ConvertToSurrogate(in Trade value) => new()
    {
        Instrument = value.Instrument,
        TradeId = value.TradeId,
        Price = value.Price,
        Quantity = value.Quantity,
        Side = value.Side,
        ExchangeTime = value.ExchangeTime,
        ReceiptTime = value.ReceiptTime,
    };
}

[RegisterCopier]
public sealed class TradeCopier : IDeepCopier<Trade>, IOptionalDeepCopier
{
    public Trade DeepCopy(Trade input, CopyContext context) => input;

    public bool IsShallowCopyable() => true;
}
