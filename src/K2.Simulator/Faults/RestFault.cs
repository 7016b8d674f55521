namespace K2.Simulator;

/// <summary>How a simulated REST endpoint refuses a request, each as the real exchange does.</summary>
public enum RestFault : byte
{
    /// <summary>HTTP 429 with <c>Retry-After</c> (Binance, Coinbase).</summary>
    TooManyRequests,

    /// <summary>HTTP 418 with <c>Retry-After</c>: Binance's automatic IP ban after ignoring 429s.</summary>
    Banned,

    /// <summary>HTTP 200 with <c>{"error":["EGeneral:Too many requests"]}</c>: Kraken's throttling reply.</summary>
    Throttled,
}
