using System.Globalization;
using System.Text;
using K2.Core;

namespace K2.Storage.ClickHouse;

/// <summary>
/// Named values for a query's <c>{name:Type}</c> placeholders. Values are sent as text in ClickHouse's escaped
/// (TabSeparated) form, the form both <c>param_name=</c> on HTTP and chDB's parameter API parse; the engine then
/// converts the text to the placeholder's type, so a value can never change the statement.
/// </summary>
public sealed class ClickHouseParameters
{
    private readonly List<KeyValuePair<string, string>> _values = [];

    public IReadOnlyList<KeyValuePair<string, string>> Values => _values;

    public ClickHouseParameters Add(string name, string value) => Set(name, Escape(value));

    public ClickHouseParameters Add(string name, long value) => Set(name, value.ToString(CultureInfo.InvariantCulture));

    public ClickHouseParameters Add(string name, decimal value) => Set(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>For <c>DateTime64(6,'UTC')</c> placeholders: <c>2026-11-22 10:15:00.123456</c>.</summary>
    public ClickHouseParameters Add(string name, UnixMicros value) =>
        Set(name, value.ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture));

    /// <summary>
    /// A value already in escaped text form, as a <c>param_name=</c> URL parameter carries it. Internal: only the test
    /// endpoint that relays HTTP requests to the embedded engine needs it; K2's own callers pass typed values.
    /// </summary>
    internal ClickHouseParameters AddEscaped(string name, string escapedText) => Set(name, escapedText);

    private ClickHouseParameters Set(string name, string text)
    {
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException($"'{name}' is not a valid parameter name.", nameof(name));
        }

        _values.RemoveAll(p => p.Key == name);
        _values.Add(new(name, text));
        return this;
    }

    /// <summary>TabSeparated escaping: backslash, tab, newline and carriage return are written as escape sequences.</summary>
    private static string Escape(string value)
    {
        if (value.AsSpan().IndexOfAny("\\\t\n\r\0") < 0)
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            escaped.Append(c switch
            {
                '\\' => @"\\",
                '\t' => @"\t",
                '\n' => @"\n",
                '\r' => @"\r",
                '\0' => @"\0",
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }
}
