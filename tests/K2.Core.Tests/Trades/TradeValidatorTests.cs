using K2.Core.Trades;

namespace K2.Core.Tests.Trades;

public sealed class TradeValidatorTests
{
    private static readonly UnixMicros Receipt = new(1_763_769_600_000_000);
    private const long MicrosPerMinute = 60_000_000;
    private const long MicrosPerDay = 86_400_000_000;

    [Theory]
    [InlineData("0.00000001")]
    [InlineData("1")]
    [InlineData("87012.34")]
    [InlineData("87012.340000000000")] // trailing zeros carry no value
    [InlineData("9999999999.99999999")]
    public void Positive_values_that_fit_Decimal_18_8_pass(string text)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

        TradeValidator.CheckPrice(value).ShouldBeNull();
        TradeValidator.CheckQuantity(value).ShouldBeNull();
    }

    [Fact]
    public void The_storable_maximum_is_the_largest_Decimal_18_8()
    {
        TradeValidator.MaxStorableValue.ShouldBe(9_999_999_999.99999999m);
        TradeValidator.MaxStorableScale.ShouldBe(8);
    }

    [Theory]
    [InlineData("0", "price must be positive")]
    [InlineData("0.00000000", "price must be positive")]
    [InlineData("-0.00000001", "price must be positive")]
    [InlineData("-87012.34", "price must be positive")]
    [InlineData("10000000000", "price exceeds 9999999999.99999999")]
    [InlineData("9999999999.999999991", "price exceeds 9999999999.99999999")]
    [InlineData("0.000000001", "price has more than 8 significant decimal places")]
    [InlineData("87012.123456785", "price has more than 8 significant decimal places")]
    public void Prices_that_cannot_be_stored_are_refused_with_a_reason(string text, string reason)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

        TradeValidator.CheckPrice(value).ShouldBe(reason);
        TradeValidator.CheckQuantity(value).ShouldBe(reason.Replace("price", "quantity", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(5 * MicrosPerMinute)] // the largest clock skew allowed
    [InlineData(-30 * MicrosPerDay)] // the oldest trade allowed
    public void Times_within_skew_and_age_pass(long offset)
    {
        TradeValidator.CheckExchangeTime(new UnixMicros(Receipt.Value + offset), Receipt).ShouldBeNull();
    }

    [Fact]
    public void A_time_just_past_the_skew_is_refused_naming_both_times()
    {
        var reason = TradeValidator.CheckExchangeTime(new UnixMicros(Receipt.Value + (5 * MicrosPerMinute) + 1), Receipt);

        reason.ShouldBe("exchange time 2025-11-22T00:05:00.000001Z is more than 5 minutes after receipt at 2025-11-22T00:00:00.000000Z");
    }

    [Fact]
    public void A_time_just_past_the_age_limit_is_refused_naming_both_times()
    {
        var reason = TradeValidator.CheckExchangeTime(new UnixMicros(Receipt.Value - (30 * MicrosPerDay) - 1), Receipt);

        reason.ShouldBe("exchange time 2025-10-22T23:59:59.999999Z is more than 30 days before receipt at 2025-11-22T00:00:00.000000Z");
    }

    [Theory]
    [InlineData(long.MaxValue, "after receipt")]
    [InlineData(1_000_000_000_000_000_000, "after receipt")]
    [InlineData(long.MinValue, "before receipt")]
    [InlineData(-1_000_000_000_000_000_000, "before receipt")]
    public void Extreme_times_are_refused_without_overflow(long exchangeTime, string reason)
    {
        TradeValidator.CheckExchangeTime(new UnixMicros(exchangeTime), Receipt).ShouldNotBeNull().ShouldContain(reason);
    }

    [Fact]
    public void An_extreme_receipt_time_does_not_overflow_either()
    {
        TradeValidator.CheckExchangeTime(new UnixMicros(long.MinValue), new UnixMicros(long.MaxValue)).ShouldNotBeNull().ShouldContain("before receipt");
        TradeValidator.CheckExchangeTime(new UnixMicros(long.MaxValue), new UnixMicros(long.MinValue)).ShouldNotBeNull().ShouldContain("after receipt");
        TradeValidator.CheckExchangeTime(new UnixMicros(long.MaxValue), new UnixMicros(long.MaxValue)).ShouldBeNull();
    }
}
