using K2.Core.Exchanges.Kraken;
using K2.Core.Instruments;

namespace K2.Simulator.Kraken;

/// <summary>
/// One message waiting in a connection's outgoing queue. Trade messages are rendered when they leave, answers when
/// their request was handled (so their <c>time_out</c> and the subscriptions they reflect are of that moment).
/// </summary>
/// <param name="Kind">What to send.</param>
/// <param name="Type">For trades: snapshot or update.</param>
/// <param name="Instrument">For trades: the instrument, which gives the symbol and the decimals to print.</param>
/// <param name="Trades">For trades: the trades, in id order.</param>
/// <param name="Payload">For answers and malformed frames: the bytes.</param>
internal readonly record struct KrakenOutbound(
    KrakenOutboundKind Kind,
    KrakenV2TradeMessageType Type = KrakenV2TradeMessageType.Update,
    Instrument? Instrument = null,
    PrintedTrade[]? Trades = null,
    byte[]? Payload = null)
{
    public static KrakenOutbound ForTrades(KrakenV2TradeMessageType type, Instrument instrument, PrintedTrade[] trades) =>
        new(KrakenOutboundKind.Trades, type, instrument, trades);

    public static KrakenOutbound ForReply(byte[] payload) => new(KrakenOutboundKind.Reply, Payload: payload);

    public static KrakenOutbound ForMalformed(byte[] payload) => new(KrakenOutboundKind.Malformed, Payload: payload);
}
