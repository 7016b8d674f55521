using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;

namespace K2.Core.Trades;

/// <summary>
/// An exchange's trade identifier. Binance and Kraken use sequential integers, Coinbase sends strings, so an id
/// is either a non-negative integer (held without allocating) or text. The text form is the identity: an id that
/// arrives as the string "42" equals the integer 42, while "0042" stays text so it round-trips verbatim.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public readonly struct TradeId : IEquatable<TradeId>, IComparable<TradeId>
{
    private readonly long _number;
    private readonly string? _text;

    private TradeId(long number, string? text)
    {
        _number = number;
        _text = text;
    }

    public static TradeId FromNumber(long number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        return new TradeId(number, null);
    }

    /// <summary>Creates an id from the exchange's text; canonical non-negative integers become numeric ids.</summary>
    public static TradeId FromText(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return IsCanonicalInteger(text, out var number) ? new TradeId(number, null) : new TradeId(0, text);
    }

    /// <summary>True when the id is a sequential integer that gap detection can reason about.</summary>
    public bool IsNumeric => _text is null;

    /// <summary>The integer id; only meaningful when <see cref="IsNumeric"/>.</summary>
    public long Number => IsNumeric ? _number : throw new InvalidOperationException($"Trade id '{_text}' is not numeric.");

    public override string ToString() => _text ?? _number.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes the text form as UTF-8 without allocating for numeric ids.</summary>
    public bool TryFormatUtf8(Span<byte> destination, out int written)
    {
        if (_text is null)
        {
            return Utf8Formatter.TryFormat(_number, destination, out written);
        }

        return System.Text.Encoding.UTF8.TryGetBytes(_text, destination, out written);
    }

    public bool Equals(TradeId other) => _number == other._number && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is TradeId other && Equals(other);

    public override int GetHashCode() => _text is null ? _number.GetHashCode() : StringComparer.Ordinal.GetHashCode(_text);

    /// <summary>Numeric ids order numerically and before text ids; text ids order ordinally.</summary>
    public int CompareTo(TradeId other) => (_text, other._text) switch
    {
        (null, null) => _number.CompareTo(other._number),
        (null, _) => -1,
        (_, null) => 1,
        _ => string.CompareOrdinal(_text, other._text),
    };

    public static bool operator ==(TradeId left, TradeId right) => left.Equals(right);
    public static bool operator !=(TradeId left, TradeId right) => !left.Equals(right);

    private static bool IsCanonicalInteger(string text, out long number)
    {
        number = 0;
        if (text.Length is 0 or > 19 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }
}
