using System.Globalization;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Metadata;

namespace K2.Storage.Iceberg.Maintenance;

/// <summary>
/// Reads a cold table's data files with ClickHouse: <c>file()</c> for a local warehouse (absolute paths),
/// <c>s3()</c> for an S3 one (URLs; the server must hold the bucket's credentials). Files are read with the hot
/// columns' ClickHouse types (enums as the strings the offload exported), so a rewrite produces exactly the Parquet
/// schema the offload writes.
/// </summary>
internal static class ColdDataFileQueries
{
    /// <summary>
    /// A subquery over the rows of every file in <paramref name="locations"/>, its paths and structure added to
    /// <paramref name="parameters"/> (values never enter the SQL text).
    /// </summary>
    public static string RowsOf(ColdTable table, IReadOnlyList<string> locations, ClickHouseParameters parameters)
    {
        if (locations.Count == 0)
        {
            throw new ArgumentException("At least one data file is needed.", nameof(locations));
        }

        parameters.Add("structure", Structure(table));
        var selects = new List<string>(locations.Count);
        for (var i = 0; i < locations.Count; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"file{i}");
            parameters.Add(name, locations[i]);
            var function = locations[i].StartsWith("http://", StringComparison.Ordinal) || locations[i].StartsWith("https://", StringComparison.Ordinal)
                ? "s3"
                : "file";
            selects.Add($"SELECT * FROM {function}({{{name}:String}}, 'Parquet', {{structure:String}})");
        }

        return $"({string.Join(" UNION ALL ", selects)})";
    }

    /// <summary>The table's columns as ClickHouse reads them from its Parquet files: enums were exported as their names.</summary>
    private static string Structure(ColdTable table) => string.Join(", ", table.Columns.Select(c =>
        $"{c.Name} {(c.ClickHouseType.StartsWith("Enum8(", StringComparison.Ordinal) ? "String"
            : c.ClickHouseType.StartsWith("Nullable(Enum8(", StringComparison.Ordinal) ? "Nullable(String)"
            : c.ClickHouseType)}"));
}
