using System.ComponentModel.DataAnnotations;
using K2.Core;
using K2.Core.Candles;

namespace K2.Api.Parameters;

/// <summary>
/// A text parameter that takes one of a fixed set of names, compared exactly (<c>Binance</c> is not an exchange name).
/// The OpenAPI document lists the names as the parameter's <c>enum</c>. Parameters like these bind as text rather
/// than as C# enums: minimal APIs parse enums with <see cref="Enum.TryParse{TEnum}(string, out TEnum)"/>, which takes
/// any number (<c>exchange=2</c>) and no name that is not an identifier (<c>1m</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public abstract class OneOfAttribute : ValidationAttribute
{
    public abstract IReadOnlyList<string> Names { get; }

    public override bool IsValid(object? value) => value is null || (value is string text && Names.Contains(text, StringComparer.Ordinal));
}

/// <summary>One of K2's exchanges by its API name: <c>binance</c>, <c>kraken</c>, <c>coinbase</c>.</summary>
public sealed class ExchangeNameAttribute : OneOfAttribute
{
    public override IReadOnlyList<string> Names { get; } = [.. ExchangeNames.All.Select(e => e.ToName())];
}

/// <summary>A candle timeframe by its API name: <c>1m</c> … <c>1d</c>.</summary>
public sealed class TimeframeNameAttribute : OneOfAttribute
{
    public override IReadOnlyList<string> Names { get; } = [.. Timeframes.All.Select(t => t.ToName())];
}
