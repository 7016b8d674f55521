using System.Globalization;
using Parquet;
using Parquet.Serialization;

namespace K2.Storage.Tests.Support;

/// <summary>Reads a whole Parquet file with Parquet.Net, an implementation independent of ClickHouse and of K2.</summary>
internal static class ParquetRows
{
    /// <summary>The file's row-group count and every row as <c>name=value</c> pairs in schema order, values in invariant text.</summary>
    public static async Task<(int RowGroups, List<string> Rows)> ReadAsync(byte[] file, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(file, writable: false);
        int rowGroups;
        await using (var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken))
        {
            rowGroups = reader.RowGroupCount;
        }

        stream.Position = 0;
        var result = await ParquetSerializer.DeserializeUntypedAsync(stream, cancellationToken: cancellationToken);
        var names = result.Schema.Fields.Select(f => f.Name).ToArray();
        return (rowGroups, [.. result.Data.Select(row => string.Join('|', names.Select(n => $"{n}={(row.TryGetValue(n, out var value) ? Text(value) : "NULL")}")))]);
    }

    private static string Text(object? value) => value switch
    {
        null => "NULL",
        DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable list and not string => $"[{string.Join(',', list.Cast<object?>().Select(Text))}]",
        _ => value.ToString() ?? "",
    };
}
