using K2.Storage.Iceberg.Avro;
using K2.Storage.Iceberg.Manifests;

namespace K2.Storage.Tests.Iceberg.Manifests;

/// <summary>A trades table as K2 describes it to the manifest writer, and data files with every metric filled in.</summary>
internal static class ManifestSamples
{
    public const string SchemaJson =
        """{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"symbol","required":true,"type":"string"},{"id":2,"name":"exchange_time","required":true,"type":"timestamptz"},{"id":3,"name":"price","required":true,"type":"decimal(18,8)"}]}""";

    public const string PartitionFieldsJson = """[{"source-id":2,"field-id":1000,"name":"exchange_time_day","transform":"day"}]""";

    public static readonly ManifestHeader Header = new(SchemaJson, 0, PartitionFieldsJson, 0, new DayPartitionField("exchange_time_day"));

    /// <summary>2026-03-01 as days since 1970-01-01.</summary>
    public const int Day = 20_513;

    public static DataFile File(int k) => new($"file:///warehouse/cold/silver_trades/data/exchange_time_day=2026-03-0{1 + (k % 3)}/{k:D5}.parquet", Day + (k % 3), 1_000 + k, 50_000 + k)
    {
        ColumnSizes = new Dictionary<int, long> { [1] = 100 + k, [2] = 200 + k, [3] = 300 + k },
        ValueCounts = new Dictionary<int, long> { [1] = 1_000 + k, [2] = 1_000 + k, [3] = 1_000 + k },
        NullValueCounts = new Dictionary<int, long> { [1] = 0, [2] = 0, [3] = 0 },
        LowerBounds = new Dictionary<int, byte[]>
        {
            [1] = SingleValue.FromString("BTCUSDT"),
            [2] = SingleValue.FromTimestampMicros(1_772_323_200_000_000 + k),
            [3] = SingleValue.FromDecimal(67_000.12345678m + k, 8),
        },
        UpperBounds = new Dictionary<int, byte[]>
        {
            [1] = SingleValue.FromString("ETHUSDT"),
            [2] = SingleValue.FromTimestampMicros(1_772_409_599_999_999 + k),
            [3] = SingleValue.FromDecimal(-1.5m - k, 8),
        },
        SplitOffsets = [4, 1_000 + k],
        SortOrderId = 0,
    };

    public static byte[] WriteManifest(IEnumerable<ManifestEntry> entries, AvroCodec codec)
    {
        using var stream = new MemoryStream();
        ManifestWriter.Write(stream, Header, entries, codec);
        return stream.ToArray();
    }

    public static byte[] WriteManifestList(ManifestListHeader header, IEnumerable<ManifestFile> manifests, AvroCodec codec)
    {
        using var stream = new MemoryStream();
        ManifestListWriter.Write(stream, header, manifests, codec);
        return stream.ToArray();
    }

    public static void ShouldEqual(DataFile actual, DataFile expected)
    {
        actual.FilePath.ShouldBe(expected.FilePath);
        actual.PartitionDay.ShouldBe(expected.PartitionDay);
        actual.RecordCount.ShouldBe(expected.RecordCount);
        actual.FileSizeInBytes.ShouldBe(expected.FileSizeInBytes);
        actual.Content.ShouldBe(expected.Content);
        actual.FileFormat.ShouldBe(expected.FileFormat);
        actual.ColumnSizes.ShouldBe(expected.ColumnSizes);
        actual.ValueCounts.ShouldBe(expected.ValueCounts);
        actual.NullValueCounts.ShouldBe(expected.NullValueCounts);
        ShouldEqual(actual.LowerBounds, expected.LowerBounds);
        ShouldEqual(actual.UpperBounds, expected.UpperBounds);
        actual.SplitOffsets.ShouldBe(expected.SplitOffsets);
        actual.SortOrderId.ShouldBe(expected.SortOrderId);
    }

    private static void ShouldEqual(IReadOnlyDictionary<int, byte[]>? actual, IReadOnlyDictionary<int, byte[]>? expected)
    {
        if (expected is null)
        {
            actual.ShouldBeNull();
            return;
        }

        actual.ShouldNotBeNull();
        actual.Keys.Order().ShouldBe(expected.Keys.Order());
        foreach (var (key, value) in expected)
        {
            actual[key].ShouldBe(value);
        }
    }
}
