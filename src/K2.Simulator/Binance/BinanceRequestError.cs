namespace K2.Simulator.Binance;

/// <summary>A request Binance would refuse, with the code and text it would answer.</summary>
internal sealed record BinanceRequestError(int Code, string Message, BinanceRequestId Id);
