using K2.Storage.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Grains.Configuration;

/// <summary>
/// Refuses exchange settings that could not connect, would never give up on a dead connection, or would break the
/// exchange's own limits (docs/EXCHANGES.md), naming each one.
/// </summary>
internal sealed class ExchangesOptionsValidator : IValidateOptions<ExchangesOptions>
{
    /// <summary>Binance cuts a connection over 5 incoming messages a second and allows 1,024 streams on one.</summary>
    internal const int BinanceMaxMessagesPerSecond = 5;
    internal const int BinanceMaxStreamsPerConnection = 1_024;

    /// <summary>Binance's REST request weight per minute per IP.</summary>
    internal const int BinanceMaxWeightPerMinute = 6_000;

    /// <summary>Binance ends every connection at 24 hours; rotation must come before that.</summary>
    internal static readonly TimeSpan BinanceConnectionLifetime = TimeSpan.FromHours(24);

    /// <summary>Coinbase rate-limits unauthenticated WebSocket messages at 8 a second per IP.</summary>
    internal const int CoinbaseMaxMessagesPerSecond = 8;

    public ValidateOptionsResult Validate(string? name, ExchangesOptions options)
    {
        var binance = new SectionProblems($"{ExchangesOptions.Section}:Binance");
        var b = options.Binance;
        binance.AbsoluteUrl(nameof(b.WebSocketBase), b.WebSocketBase, "wss", "ws");
        binance.AbsoluteUrl(nameof(b.RestBase), b.RestBase, "https", "http");
        binance.Between(nameof(b.StreamsPerSubscribe), b.StreamsPerSubscribe, 1, BinanceMaxStreamsPerConnection, "Binance's streams per connection");
        binance.Between(nameof(b.MaxOutgoingMessagesPerSecond), b.MaxOutgoingMessagesPerSecond, 1, BinanceMaxMessagesPerSecond, "Binance's limit a second");
        binance.Between(nameof(b.RestWeightPerMinute), b.RestWeightPerMinute, 1, BinanceMaxWeightPerMinute, "Binance's request weight a minute");
        CheckSession(binance, b.KeepAliveInterval, b.KeepAliveTimeout, b.ConnectTimeout, b.SubscribeTimeout, b.CloseTimeout, b.StaleAfter,
            b.ReconnectInitialDelay, b.ReconnectMaxDelay);
        binance.Positive(nameof(b.RotateAfter), b.RotateAfter);
        if (b.RotateAfter >= BinanceConnectionLifetime)
        {
            binance.Add(nameof(b.RotateAfter), $"must be shorter than the {BinanceConnectionLifetime.TotalHours:0} h after which Binance ends a connection (is {b.RotateAfter}).");
        }

        var kraken = new SectionProblems($"{ExchangesOptions.Section}:Kraken");
        var k = options.Kraken;
        kraken.AbsoluteUrl(nameof(k.WebSocketUri), k.WebSocketUri, "wss", "ws");
        kraken.AbsoluteUrl(nameof(k.RestBase), k.RestBase, "https", "http");
        kraken.AtLeast(nameof(k.MaxOutgoingMessagesPerSecond), k.MaxOutgoingMessagesPerSecond, 1);
        kraken.Positive(nameof(k.PingInterval), k.PingInterval);
        CheckSession(kraken, k.KeepAliveInterval, k.KeepAliveTimeout, k.ConnectTimeout, k.SubscribeTimeout, k.CloseTimeout, k.StaleAfter,
            k.ReconnectInitialDelay, k.ReconnectMaxDelay);
        kraken.AtLeast(nameof(k.RestRequestsPerSecond), k.RestRequestsPerSecond, 1);
        kraken.Positive(nameof(k.RestThrottlePause), k.RestThrottlePause);

        var coinbase = new SectionProblems($"{ExchangesOptions.Section}:Coinbase");
        var c = options.Coinbase;
        coinbase.AbsoluteUrl(nameof(c.WebSocketUri), c.WebSocketUri, "wss", "ws");
        coinbase.AbsoluteUrl(nameof(c.RestBase), c.RestBase, "https", "http");
        coinbase.Between(nameof(c.MaxOutgoingMessagesPerSecond), c.MaxOutgoingMessagesPerSecond, 1, CoinbaseMaxMessagesPerSecond, "Coinbase's limit a second");
        CheckSession(coinbase, c.KeepAliveInterval, c.KeepAliveTimeout, c.ConnectTimeout, c.SubscribeTimeout, c.CloseTimeout, c.StaleAfter,
            c.ReconnectInitialDelay, c.ReconnectMaxDelay);
        coinbase.AtLeast(nameof(c.RestRequestsPerSecond), c.RestRequestsPerSecond, 1);

        // A disabled exchange is still checked: turning it on later must not be the moment a typo surfaces.
        IReadOnlyList<string> all = [.. binance.All, .. kraken.All, .. coinbase.All];
        return all.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(all);
    }

    /// <summary>The timings every session has (the options classes share the names but no base type).</summary>
    private static void CheckSession(
        SectionProblems problems, TimeSpan keepAliveInterval, TimeSpan keepAliveTimeout, TimeSpan connectTimeout, TimeSpan subscribeTimeout,
        TimeSpan closeTimeout, TimeSpan staleAfter, TimeSpan reconnectInitialDelay, TimeSpan reconnectMaxDelay)
    {
        problems.Positive("KeepAliveInterval", keepAliveInterval);
        problems.Positive("KeepAliveTimeout", keepAliveTimeout);
        problems.Positive("ConnectTimeout", connectTimeout);
        problems.Positive("SubscribeTimeout", subscribeTimeout);
        problems.Positive("CloseTimeout", closeTimeout);
        problems.Positive("StaleAfter", staleAfter);
        problems.Positive("ReconnectInitialDelay", reconnectInitialDelay);
        problems.Positive("ReconnectMaxDelay", reconnectMaxDelay);
        problems.NotAbove("ReconnectInitialDelay", reconnectInitialDelay, "ReconnectMaxDelay", reconnectMaxDelay);
    }
}
