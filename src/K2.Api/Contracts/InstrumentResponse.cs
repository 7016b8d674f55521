namespace K2.Api.Contracts;

public sealed record InstrumentResponse(
    string Exchange,
    string Symbol,
    string ExchangeSymbol,
    string Base,
    string Quote,
    int PriceScale,
    int QuantityScale);

public sealed record InstrumentsResponse(IReadOnlyList<InstrumentResponse> Instruments);
