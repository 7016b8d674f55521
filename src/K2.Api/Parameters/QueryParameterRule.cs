using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;

namespace K2.Api.Parameters;

/// <summary>
/// What one query parameter accepts, read from its property on an <c>[AsParameters]</c> record: its name, its type
/// (text, a whole number or an instant) and its DataAnnotations. <see cref="Check"/> judges the raw text, so a value
/// the framework could not bind gets the same message as one it bound but that breaks a rule.
/// </summary>
internal sealed partial class QueryParameterRule(string name, Type valueType, IReadOnlyList<ValidationAttribute> rules)
{
    /// <summary>
    /// The instants a query may name: ClickHouse's DateTime64 ends in 2299 and K2 stores nothing before 1970, so a
    /// time outside is a typo, refused here rather than failing in the store.
    /// </summary>
    private static readonly DateTimeOffset EarliestInstant = DateTimeOffset.UnixEpoch;

    private static readonly DateTimeOffset EndOfInstants = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Echoed values are cut to this length: a hostile megabyte is not worth repeating.</summary>
    private const int EchoLength = 40;

    public string Name { get; } = name;

    private bool IsRequired => rules.OfType<RequiredAttribute>().Any();

    /// <summary>The problem with <paramref name="values"/>, or null when they are acceptable. An empty value counts as absent.</summary>
    public string? Check(StringValues values)
    {
        if (values.Count > 1)
        {
            return $"'{Name}' is given {values.Count} times; give it once.";
        }

        var text = values.Count == 1 ? values[0] : null;
        if (string.IsNullOrEmpty(text))
        {
            return IsRequired ? $"'{Name}' is required: {Expected()}." : null;
        }

        if (!Parses(text, out var value))
        {
            return Invalid(text);
        }

        foreach (var rule in rules)
        {
            if (rule is not RequiredAttribute && !rule.IsValid(value))
            {
                return Invalid(text);
            }
        }

        return null;
    }

    private string Invalid(string text) =>
        $"'{(text.Length > EchoLength ? text[..EchoLength] + "…" : text)}' is not valid for '{Name}': expected {Expected()}.";

    private bool Parses(string text, out object? value)
    {
        var type = Nullable.GetUnderlyingType(valueType) ?? valueType;
        if (type == typeof(int))
        {
            var parsed = int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number);
            value = number;
            return parsed;
        }

        if (type == typeof(DateTimeOffset))
        {
            // An offset is required: a time without one would be read in the server's zone.
            DateTimeOffset instant = default;
            var parsed = ExplicitOffset().IsMatch(text)
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant)
                && instant >= EarliestInstant && instant < EndOfInstants;
            value = instant;
            return parsed;
        }

        value = text;
        return true;
    }

    /// <summary>What the parameter accepts, in words, built from the same attributes the OpenAPI document shows.</summary>
    private string Expected()
    {
        var type = Nullable.GetUnderlyingType(valueType) ?? valueType;
        if (type == typeof(DateTimeOffset))
        {
            return "an ISO 8601 time with Z or an offset from 1970 to 2199, e.g. 2026-11-22T10:00:00Z";
        }

        if (type == typeof(int))
        {
            return rules.OfType<RangeAttribute>().FirstOrDefault() is { } range
                ? $"a whole number from {range.Minimum} to {range.Maximum}"
                : "a whole number";
        }

        if (rules.OfType<OneOfAttribute>().FirstOrDefault() is { } oneOf)
        {
            return $"one of {string.Join(", ", oneOf.Names)}";
        }

        // The pattern's own message says what it wants (e.g. "a canonical symbol such as BTC-USDT").
        if (rules.OfType<RegularExpressionAttribute>().FirstOrDefault() is { ErrorMessage: { } described })
        {
            return described;
        }

        return rules.OfType<StringLengthAttribute>().FirstOrDefault() is { } length
            ? $"text of {length.MinimumLength} to {length.MaximumLength} characters"
            : "text";
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,7})?)?(Z|[+-]\d\d:\d\d)$")]
    private static partial Regex ExplicitOffset();
}
