using System.Text.Json;

namespace K2.Simulator.Binance;

/// <summary>
/// The <c>id</c> of a stream request, echoed in its answer in the same JSON type: a 64-bit integer, an
/// alphanumeric string of at most 36 characters, or null.
/// </summary>
internal readonly record struct BinanceRequestId
{
    public const int MaxTextLength = 36;

    private readonly long _number;
    private readonly string? _text;
    private readonly bool _isNumber;

    private BinanceRequestId(long number, string? text, bool isNumber)
    {
        _number = number;
        _text = text;
        _isNumber = isNumber;
    }

    public static BinanceRequestId Null => default;

    public static BinanceRequestId FromNumber(long number) => new(number, null, isNumber: true);

    public static BinanceRequestId FromText(string text) => new(0, text, isNumber: false);

    public static bool IsValidText(string text) => text.Length <= MaxTextLength && text.All(char.IsAsciiLetterOrDigit);

    /// <summary>Writes the answer's <c>"id"</c> property.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        if (_isNumber)
        {
            writer.WriteNumber("id"u8, _number);
        }
        else if (_text is not null)
        {
            writer.WriteString("id"u8, _text);
        }
        else
        {
            writer.WriteNull("id"u8);
        }
    }
}
