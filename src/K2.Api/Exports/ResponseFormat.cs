using K2.Api.Parameters;
using K2.Storage.History;

namespace K2.Api.Exports;

/// <summary>How a history answer is written: a JSON page, or a streamed export of the whole range.</summary>
public enum ResponseFormat
{
    Json,
    Ndjson,
    Csv,
    Parquet,
}

/// <summary>The <c>format</c> parameter's names, each with its media type; <c>format</c> wins over <c>Accept</c>.</summary>
public static class ResponseFormats
{
    private static readonly (string Name, ResponseFormat Format, string MediaType)[] Known =
    [
        ("json", ResponseFormat.Json, "application/json"),
        ("ndjson", ResponseFormat.Ndjson, "application/x-ndjson"),
        ("csv", ResponseFormat.Csv, "text/csv"),
        ("parquet", ResponseFormat.Parquet, "application/vnd.apache.parquet"),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. Known.Select(k => k.Name)];

    /// <summary>The media types of the streamed formats, for the OpenAPI document.</summary>
    public static IReadOnlyList<string> ExportMediaTypes { get; } = [.. Known.Where(k => k.Format != ResponseFormat.Json).Select(k => k.MediaType)];

    public static string MediaType(this ResponseFormat format) => Known.Single(k => k.Format == format).MediaType;

    public static string Extension(this ResponseFormat format) => Known.Single(k => k.Format == format).Name;

    public static HistoryExportFormat ToExportFormat(this ResponseFormat format) => format switch
    {
        ResponseFormat.Csv => HistoryExportFormat.Csv,
        ResponseFormat.Ndjson => HistoryExportFormat.Ndjson,
        ResponseFormat.Parquet => HistoryExportFormat.Parquet,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "JSON is a page, not an export."),
    };

    /// <summary>
    /// The format <paramref name="name"/> names (already validated), else the first media type of the
    /// <c>Accept</c> header, by quality, that K2 writes; JSON when neither says.
    /// </summary>
    public static ResponseFormat Choose(string? name, HttpRequest request)
    {
        // An empty value counts as absent, as the query rules take it.
        if (!string.IsNullOrEmpty(name))
        {
            return Known.Single(k => k.Name == name).Format;
        }

        foreach (var accepted in request.GetTypedHeaders().Accept.OrderByDescending(a => a.Quality ?? 1))
        {
            var match = Known.FirstOrDefault(k => string.Equals(k.MediaType, accepted.MediaType.Value, StringComparison.OrdinalIgnoreCase));
            if (match.Name is not null)
            {
                return match.Format;
            }
        }

        return ResponseFormat.Json;
    }
}

/// <summary>One of json, ndjson, csv, parquet.</summary>
public sealed class ResponseFormatNameAttribute : OneOfAttribute
{
    public override IReadOnlyList<string> Names => ResponseFormats.Names;
}
