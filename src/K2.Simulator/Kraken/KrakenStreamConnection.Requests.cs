using System.Text.Json;
using K2.Core;
using K2.Core.Exchanges.Kraken;

namespace K2.Simulator.Kraken;

/// <summary>The requests a client sends on the connection, and their answers.</summary>
internal sealed partial class KrakenStreamConnection
{
    private void Handle(ReadOnlyMemory<byte> message)
    {
        var timeIn = UnixMicros.Now(_time);
        lock (_gate)
        {
            if (!_rateLimit.TryRecord())
            {
                Enqueue(KrakenOutbound.ForReply(Render(KrakenWireWriter.WriteRateLimitError)));
                End(RateLimitedEnd, drainFirst: true);
                return;
            }

            if (!KrakenRequestReader.TryRead(message, out var request, out var error))
            {
                Reply(w => KrakenWireWriter.WriteError(w, error.Error, error.Method, error.RequestId, null, timeIn, UnixMicros.Now(_time)));
                return;
            }

            switch (request.Method)
            {
                case KrakenEndpoints.PingMethod:
                    Reply(w => KrakenWireWriter.WritePong(w, request.RequestId, timeIn, UnixMicros.Now(_time)));
                    break;
                case KrakenEndpoints.SubscribeMethod:
                    Subscribe(request, timeIn);
                    break;
                default:
                    Unsubscribe(request, timeIn);
                    break;
            }
        }
    }

    /// <summary>
    /// One answer per symbol, in request order: refused for a pair the venue does not list (the legacy
    /// <c>XBT/USD</c> included) or one already subscribed; otherwise subscribed, and followed by the snapshot of the
    /// 50 most recent trades when asked for. Updates then resume after the snapshot's last trade.
    /// </summary>
    private void Subscribe(KrakenRequest request, UnixMicros timeIn)
    {
        foreach (var symbol in request.Symbols)
        {
            if (!_venue.TryGetInstrument(symbol, out var instrument))
            {
                RefuseSymbol(request, KrakenSimulatorErrors.CurrencyPairNotSupported(symbol), symbol, timeIn);
                continue;
            }

            if (_subscriptions.ContainsKey(symbol))
            {
                RefuseSymbol(request, KrakenSimulatorErrors.AlreadySubscribed, symbol, timeIn);
                continue;
            }

            PrintedTrade[] snapshot = request.Snapshot
                ? [.. _venue.GroundTruth.Latest(Exchange.Kraken, symbol, KrakenEndpoints.SnapshotTradeCount)]
                : [];
            _subscriptions[symbol] = snapshot.Length > 0 ? snapshot[^1].TradeId : long.MinValue;
            Reply(w => KrakenWireWriter.WriteSubscriptionResult(
                w, KrakenEndpoints.SubscribeMethod, request.RequestId, symbol, request.Snapshot, timeIn, UnixMicros.Now(_time)));
            if (request.Snapshot)
            {
                Enqueue(KrakenOutbound.ForTrades(KrakenV2TradeMessageType.Snapshot, instrument, snapshot));
            }

            StartHeartbeats();
        }
    }

    private void Unsubscribe(KrakenRequest request, UnixMicros timeIn)
    {
        foreach (var symbol in request.Symbols)
        {
            if (!_venue.TryGetInstrument(symbol, out _))
            {
                RefuseSymbol(request, KrakenSimulatorErrors.CurrencyPairNotSupported(symbol), symbol, timeIn);
            }
            else if (!_subscriptions.Remove(symbol))
            {
                RefuseSymbol(request, KrakenSimulatorErrors.SubscriptionNotFound, symbol, timeIn);
            }
            else
            {
                ReleaseHeldUpdate(symbol);
                Reply(w => KrakenWireWriter.WriteSubscriptionResult(
                    w, KrakenEndpoints.UnsubscribeMethod, request.RequestId, symbol, snapshot: null, timeIn, UnixMicros.Now(_time)));
            }
        }
    }

    private void RefuseSymbol(KrakenRequest request, string error, string symbol, UnixMicros timeIn) =>
        Reply(w => KrakenWireWriter.WriteError(w, error, request.Method, request.RequestId, symbol, timeIn, UnixMicros.Now(_time)));

    private void Reply(Action<Utf8JsonWriter> write) => Enqueue(KrakenOutbound.ForReply(Render(write)));
}
