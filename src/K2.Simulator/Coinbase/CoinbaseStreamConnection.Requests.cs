using System.Net.WebSockets;
using K2.Core.Exchanges.Coinbase;
using K2.Simulator.WebSockets;

namespace K2.Simulator.Coinbase;

/// <summary>The messages a client sends, and their answers.</summary>
internal sealed partial class CoinbaseStreamConnection
{
    /// <summary>
    /// One client message. Over <see cref="CoinbaseEndpoints.MaxIncomingMessagesPerSecond"/> in a second (counted per
    /// connection; Coinbase counts per IP, and every simulated client is 127.0.0.1) the client gets an error and then
    /// a 1008 close. A refused request gets an error and changes nothing; the connection stays open.
    /// </summary>
    private void Handle(ReadOnlyMemory<byte> message)
    {
        if (!_rateLimit.TryRecord())
        {
            lock (_gate)
            {
                SendError(new CoinbaseRequestError(
                    CoinbaseErrors.RateLimitExceeded, CoinbaseErrors.TooManyMessages(CoinbaseEndpoints.MaxIncomingMessagesPerSecond)));
                EndAfterQueued(new SessionEnd(
                    SessionEndReason.RateLimited, WebSocketCloseStatus.PolicyViolation, CoinbaseErrors.TooManyMessagesCloseReason));
            }

            return;
        }

        if (!CoinbaseRequestReader.TryRead(message, out var request, out var error))
        {
            lock (_gate)
            {
                SendError(error);
            }

            return;
        }

        var failed = request.Subscribe ? CoinbaseErrors.FailedToSubscribe : CoinbaseErrors.FailedToUnsubscribe;
        var products = new List<string>();
        foreach (var productId in request.ProductIds ?? [])
        {
            if (!_venue.TryResolveProduct(productId, out var product))
            {
                // All or nothing, so a typo never half-subscribes.
                lock (_gate)
                {
                    SendError(new CoinbaseRequestError(failed, CoinbaseErrors.InvalidProduct(productId)));
                }

                return;
            }

            products.Add(product);
        }

        switch (request.Channel, request.Subscribe)
        {
            case (CoinbaseEndpoints.MarketTradesChannel, true):
                // Through the venue, whose lock orders this against printing: each trade is in the snapshot or in an
                // update, never both and never neither.
                _venue.Subscribe(this, products);
                break;
            case (CoinbaseEndpoints.MarketTradesChannel, false):
                UnsubscribeMarketTrades(request.ProductIds is null ? null : products);
                break;
            default:
                SetHeartbeats(request.Subscribe);
                break;
        }
    }

    /// <summary>
    /// Adds products, sends a snapshot of those not subscribed before (up to <see cref="CoinbaseVenue.SnapshotTrades"/>
    /// recent trades each, newest first), then the acknowledgement. Called by the venue under its lock.
    /// </summary>
    public void AddProducts(IReadOnlyList<string> products, Func<string, IReadOnlyList<PrintedTrade>> recentTrades)
    {
        lock (_gate)
        {
            if (!IsOpen)
            {
                return;
            }

            MarkSubscribed();
            var added = products.Where(_products.Add).ToList();
            if (added.Count > 0)
            {
                var events = added.Select(recentTrades).Where(trades => trades.Count > 0).ToList();
                var trades = events.Sum(e => e.Count);
                if (TakeSequence(trades, out var sequence))
                {
                    // Products without trades yet still get their snapshot: one event with no trades.
                    IReadOnlyList<IReadOnlyList<PrintedTrade>> snapshot = events.Count > 0 ? events : [[]];
                    var now = _time.GetUtcNow();
                    Send(Render(w => CoinbaseWireWriter.WriteMarketTrades(w, sequence, now, CoinbaseWireWriter.SnapshotType, snapshot, _options.CoinbaseSideConvention)));
                }
            }

            SendSubscriptions();
        }
    }

    /// <summary>Removes the products (all of them for null), and trades of theirs not sent yet; then acknowledges.</summary>
    private void UnsubscribeMarketTrades(IReadOnlyList<string>? products)
    {
        lock (_gate)
        {
            if (!IsOpen)
            {
                return;
            }

            if (products is null)
            {
                _products.Clear();
            }
            else
            {
                _products.ExceptWith(products);
            }

            _pending.RemoveAll(p => !_products.Contains(CoinbaseSymbols.MarketDataProductId(p.Trade.ExchangeSymbol)));
            SendSubscriptions();
        }
    }

    private void SetHeartbeats(bool subscribe)
    {
        lock (_gate)
        {
            if (!IsOpen)
            {
                return;
            }

            if (subscribe)
            {
                MarkSubscribed();
                _heartbeatTimer ??= _time.CreateTimer(
                    static state => ((CoinbaseStreamConnection)state!).OnHeartbeatDue(), this,
                    _options.CoinbaseHeartbeatInterval, _options.CoinbaseHeartbeatInterval);
            }
            else
            {
                _heartbeatTimer?.Dispose();
                _heartbeatTimer = null;
            }

            _heartbeats = subscribe;
            SendSubscriptions();
        }
    }

    /// <summary>A successful subscribe meets the deadline. Under the gate.</summary>
    private void MarkSubscribed()
    {
        _subscribed = true;
        _subscribeTimer?.Dispose();
        _subscribeTimer = null;
    }

    /// <summary>The <c>subscriptions</c> message listing everything this connection now receives. Under the gate.</summary>
    private void SendSubscriptions()
    {
        if (TakeSequence(0, out var sequence))
        {
            var now = _time.GetUtcNow();
            Send(Render(w => CoinbaseWireWriter.WriteSubscriptions(w, sequence, now, _products, _heartbeats)));
        }
    }

    /// <summary>An error: no sequence number, and like everything else not sent while stalled. Under the gate.</summary>
    private void SendError(CoinbaseRequestError error)
    {
        if (IsOpen && !_faults.IsStalled(K2.Core.Exchange.Coinbase))
        {
            Enqueue(Render(w => CoinbaseWireWriter.WriteError(w, error.Message, error.Reason)));
        }
    }
}
