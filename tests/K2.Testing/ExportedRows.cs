using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Parquet.Serialization;

namespace K2.Testing;

/// <summary>
/// Reads K2's answers in each format with readers independent of K2 and ClickHouse (CsvHelper, Parquet.Net,
/// System.Text.Json) into rows of column name to text, normalized so that equal values compare equal: decimals without
/// trailing zeros, times as the JSON API writes them (ISO 8601 UTC with microseconds).
/// </summary>
public static class ExportedRows
{
    public static List<Dictionary<string, string>> FromJson(IEnumerable<JsonElement> rows) =>
        [.. rows.Select(row => row.EnumerateObject().ToDictionary(p => p.Name, p => Normalize(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())))];

    public static List<Dictionary<string, string>> FromNdjson(string text) =>
        FromJson(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement));

    public static List<Dictionary<string, string>> FromCsv(string text)
    {
        using var reader = new CsvReader(new StringReader(text), CultureInfo.InvariantCulture);
        reader.Read();
        reader.ReadHeader();
        var names = reader.HeaderRecord!;
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read())
        {
            rows.Add(names.ToDictionary(n => n, n => Normalize(reader.GetField(n)!)));
        }

        return rows;
    }

    public static async Task<List<Dictionary<string, string>>> FromParquetAsync(byte[] file, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(file, writable: false);
        var result = await ParquetSerializer.DeserializeUntypedAsync(stream, cancellationToken: cancellationToken);
        var names = result.Schema.Fields.Select(f => f.Name).ToArray();
        return [.. result.Data.Select(row => names.ToDictionary(n => n, n => Text(row[n])))];
    }

    /// <summary>Only the columns <paramref name="names"/>, so an export with more columns compares with the JSON answer.</summary>
    public static List<Dictionary<string, string>> Project(this List<Dictionary<string, string>> rows, IEnumerable<string> names) =>
        [.. rows.Select(row => names.ToDictionary(n => n, n => row[n]))];

    /// <summary>Each row as one line, for comparisons whose failures are readable.</summary>
    public static List<string> Lines(this List<Dictionary<string, string>> rows) =>
        [.. rows.Select(row => string.Join('|', row.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}")))];

    private static string Text(object? value) => value switch
    {
        null => "",
        DateTime time => Iso(time),
        DateTimeOffset time => Iso(time.UtcDateTime),
        decimal number => number.ToString("0.############################", CultureInfo.InvariantCulture),
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        IFormattable formattable => Normalize(formattable.ToString(null, CultureInfo.InvariantCulture)),
        _ => Normalize(value.ToString() ?? ""),
    };

    private static string Normalize(string text)
    {
        if (text.Contains('.', StringComparison.Ordinal)
            && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return number.ToString("0.############################", CultureInfo.InvariantCulture);
        }

        return text;
    }

    private static string Iso(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
