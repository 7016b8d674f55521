namespace K2.Grains.Exchanges.Sessions;

/// <summary>How a session connects, stays alive and reconnects; each exchange's options fill one of these.</summary>
internal sealed record ExchangeSessionSettings(
    Uri Uri,
    TimeSpan ConnectTimeout,
    TimeSpan KeepAliveInterval,
    TimeSpan KeepAliveTimeout,
    TimeSpan CloseTimeout,
    TimeSpan ReconnectInitialDelay,
    TimeSpan ReconnectMaxDelay,
    int MaxOutgoingMessagesPerSecond,
    TimeSpan StaleAfter,
    TimeSpan? RotateAfter,
    TimeSpan SubscribeTimeout);
