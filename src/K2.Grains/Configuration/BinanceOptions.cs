using K2.Core.Exchanges.Binance;

namespace K2.Grains.Configuration;

/// <summary>The Binance session. Bound from <c>K2:Exchanges:Binance</c>.</summary>
public sealed class BinanceOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>WebSocket base; the session appends <c>/stream</c>. The simulator's base when running offline.</summary>
    public Uri WebSocketBase { get; set; } = BinanceEndpoints.WebSocketBase;

    public Uri RestBase { get; set; } = BinanceEndpoints.RestBase;

    /// <summary>Streams per SUBSCRIBE message: a few messages instead of one per symbol keeps within 5 messages/s.</summary>
    public int StreamsPerSubscribe { get; set; } = 200;

    /// <summary>Gap between SUBSCRIBE messages: 4 per second, under Binance's limit of 5 incoming messages per second.</summary>
    public TimeSpan SubscribeSpacing { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Client pings that detect a dead connection; Binance pings too, but those are invisible to the application.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection attempt that has not completed the WebSocket upgrade by then is abandoned and retried.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>On stop, how long to wait for the server to answer our close frame before dropping the socket.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);
}
