using System.Numerics;
using K2.Storage.Iceberg.Manifests;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Iceberg.Parquet;

namespace K2.Storage.Iceberg.Offload;

/// <summary>
/// The manifest metrics of one Parquet data file, from its footer, keyed by Iceberg field id: sizes, value and null
/// counts per column, lower and upper bounds (Appendix D) for the primitive columns whose statistics ClickHouse wrote
/// in every row group, and the row groups' offsets. Readers prune files by these bounds, so a bound is only given
/// when it is certain.
/// </summary>
public static class DataFileMetrics
{
    public static DataFile Describe(string location, int? partitionDay, long fileSize, ParquetFooter footer, ColdTable table)
    {
        var ids = table.ParquetFieldIds;
        var sizes = new Dictionary<int, long>();
        var values = new Dictionary<int, long>();
        var nulls = new Dictionary<int, long>();
        var lower = new Dictionary<int, byte[]>();
        var upper = new Dictionary<int, byte[]>();
        foreach (var leaf in footer.Leaves)
        {
            if (!ids.TryGetValue(string.Join('.', leaf.Path), out var id))
            {
                continue;
            }

            var chunks = footer.RowGroups.Select(g => g.Columns.First(c => c.Path.SequenceEqual(leaf.Path))).ToList();
            sizes[id] = chunks.Sum(c => c.TotalCompressedSize);
            values[id] = chunks.Sum(c => c.ValueCount);
            if (chunks.All(c => c.Statistics?.NullCount is not null))
            {
                nulls[id] = chunks.Sum(c => c.Statistics!.NullCount!.Value);
            }
            else if (leaf.Repetition == ParquetRepetition.Required)
            {
                nulls[id] = 0; // ClickHouse writes null counts only for nullable columns
            }

            var field = table.Schema.Fields.FirstOrDefault(f => f.Id == id);
            if (field is not null && chunks.Count > 0 && chunks.All(c => c.Statistics is { MinValue: not null, MaxValue: not null, IsMinValueExact: not false, IsMaxValueExact: not false }))
            {
                var order = BoundOrder(field.Type);
                if (order is not null)
                {
                    lower[id] = Convert(field.Type, chunks.Select(c => c.Statistics!.MinValue!).MinBy(v => v, order)!);
                    upper[id] = Convert(field.Type, chunks.Select(c => c.Statistics!.MaxValue!).MaxBy(v => v, order)!);
                }
            }
        }

        return new DataFile(location, partitionDay, footer.RowCount, fileSize)
        {
            ColumnSizes = sizes,
            ValueCounts = values,
            NullValueCounts = nulls,
            LowerBounds = lower,
            UpperBounds = upper,
            SplitOffsets = [.. footer.RowGroups.Select(g => g.StartOffset).Order()],
        };
    }

    /// <summary>How raw Parquet statistics of a column of <paramref name="type"/> compare; null for types K2 gives no bounds.</summary>
    private static IComparer<byte[]>? BoundOrder(IcebergType type) => type switch
    {
        DecimalType => Comparer<byte[]>.Create((a, b) => BigEndian(a).CompareTo(BigEndian(b))),
        PrimitiveType p when p == PrimitiveType.Long || p == PrimitiveType.Timestamptz =>
            Comparer<byte[]>.Create((a, b) => SingleValue.ToLong(a).CompareTo(SingleValue.ToLong(b))),
        PrimitiveType p when p == PrimitiveType.Int || p == PrimitiveType.Date =>
            Comparer<byte[]>.Create((a, b) => SingleValue.ToInt(a).CompareTo(SingleValue.ToInt(b))),
        PrimitiveType p when p == PrimitiveType.String => Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)),
        _ => null,
    };

    /// <summary>
    /// Parquet's PLAIN statistics already are Appendix D's form for ints, longs, timestamps and strings; decimals come as
    /// fixed-width big-endian two's complement, which Appendix D wants in the fewest bytes.
    /// </summary>
    private static byte[] Convert(IcebergType type, byte[] raw) =>
        type is DecimalType ? SingleValue.FromUnscaledDecimal(BigEndian(raw)) : raw;

    private static BigInteger BigEndian(byte[] raw) => new(raw, isUnsigned: false, isBigEndian: true);
}
