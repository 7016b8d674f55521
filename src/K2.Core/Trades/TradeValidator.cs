namespace K2.Core.Trades;

/// <summary>
/// The checks every exchange's normalized trade must pass before it reaches storage. Returns the first reason a
/// trade is unacceptable, or null. Values must be stored exactly in <c>Decimal(18,8)</c>.
/// </summary>
public static class TradeValidator
{
    /// <summary>The largest value <c>Decimal(18,8)</c> holds: 10 integer digits and 8 decimals.</summary>
    public const decimal MaxStorableValue = 9_999_999_999.99999999m;

    public const int MaxStorableScale = 8;

    /// <summary>Exchange clocks may run ahead of ours; more than this is a bad timestamp, not skew.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Oldest trade accepted live, relative to receipt: the hot store keeps 30 days, and a repair of the live stream
    /// never reaches further (an operator's requested backfill does, under <see cref="ExchangeTimeRule.Replay"/>).
    /// </summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(30);

    /// <summary>
    /// Refuses an exchange time ahead of receipt by more than the clock skew, and under the live rule one more than
    /// <see cref="MaxAge"/> behind it.
    /// </summary>
    public static string? CheckExchangeTime(UnixMicros exchangeTime, UnixMicros receivedAt, ExchangeTimeRule rule = ExchangeTimeRule.Live)
    {
        // In microseconds and 128 bits: a bad timestamp may be anywhere in the long range.
        var ahead = (Int128)exchangeTime.Value - receivedAt.Value;
        if (ahead > MaxClockSkew.Ticks / TimeSpan.TicksPerMicrosecond)
        {
            return $"exchange time {exchangeTime} is more than {MaxClockSkew.TotalMinutes:0} minutes after receipt at {receivedAt}";
        }

        if (rule == ExchangeTimeRule.Live && -ahead > MaxAge.Ticks / TimeSpan.TicksPerMicrosecond)
        {
            return $"exchange time {exchangeTime} is more than {MaxAge.TotalDays:0} days before receipt at {receivedAt}";
        }

        return null;
    }

    public static string? CheckPrice(decimal price) => CheckAmount(price, "price");

    public static string? CheckQuantity(decimal quantity) => CheckAmount(quantity, "quantity");

    private static string? CheckAmount(decimal value, string field)
    {
        if (value <= 0)
        {
            return $"{field} must be positive";
        }

        if (value > MaxStorableValue)
        {
            return $"{field} exceeds {MaxStorableValue}";
        }

        // Trailing zeros ("4.00000100") do not count: only digits that carry value must fit the stored scale.
        if (decimal.Round(value, MaxStorableScale) != value)
        {
            return $"{field} has more than {MaxStorableScale} significant decimal places";
        }

        return null;
    }
}
