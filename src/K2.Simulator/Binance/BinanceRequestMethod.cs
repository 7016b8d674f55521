namespace K2.Simulator.Binance;

/// <summary>The <c>method</c> values of web-socket-streams.md, "Live Subscribing/Unsubscribing to streams".</summary>
internal enum BinanceRequestMethod : byte
{
    Subscribe,
    Unsubscribe,
    ListSubscriptions,
    SetProperty,
    GetProperty,
}
