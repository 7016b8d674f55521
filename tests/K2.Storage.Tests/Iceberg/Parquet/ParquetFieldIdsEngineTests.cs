using System.Text;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Parquet;
using K2.Storage.Iceberg.Parquet.Thrift;
using K2.Testing;

namespace K2.Storage.Tests.Iceberg.Parquet;

/// <summary>
/// The counterpart checks on files the real engine writes: K2 decodes and re-encodes ClickHouse's footer to the same
/// bytes, adds field ids that an independent reader (hyparquet) sees, and chDB reads the rewritten file to the same
/// rows as the original.
/// </summary>
public sealed class ParquetFieldIdsEngineTests(EmbeddedClickHouseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Paths =
    [
        "symbol", "exchange", "price", "notional", "ratio", "ts", "trade_id", "seq", "side", "fee", "settled_at",
        "validation_errors", "validation_errors.list", "validation_errors.list.element",
    ];

    [Fact]
    public async Task Footer_from_ClickHouse_decodes_and_encodes_to_identical_bytes()
    {
        var file = await ClickHouseParquetSample.WriteAsync(fixture.ClickHouse, Ct);
        var layout = ParquetFileLayout.Locate(file);
        var footer = file.AsSpan((int)layout.FooterOffset, layout.FooterLength);

        var encoded = ThriftCompactWriter.Encode(ThriftCompactReader.ReadWholeStruct(footer));

        encoded.ShouldBe(footer.ToArray());
        ParquetFieldIds.Assign(file, _ => null).ShouldBe(file);
    }

    [Fact]
    public async Task Footer_states_the_schema_ClickHouse_writes_for_each_K2_column_type()
    {
        var footer = ParquetFooter.Read(await ClickHouseParquetSample.WriteAsync(fixture.ClickHouse, Ct));

        footer.RowCount.ShouldBe(ClickHouseParquetSample.Rows);
        footer.CreatedBy.ShouldNotBeNullOrEmpty();
        footer.Schema.ShouldAllBe(element => element.FieldId == null);
        footer.Schema.Select(e => Describe(e)).ShouldBe(
        [
            "symbol Required ByteArray String",
            "exchange Required ByteArray String",
            // Decimals of every precision are big-endian fixed-length, not INT64.
            "price Required FixedLenByteArray(8) Decimal(18,8)",
            "notional Required FixedLenByteArray(16) Decimal(38,8)",
            "ratio Required FixedLenByteArray(16) Decimal(38,16)",
            "ts Required Int64 Timestamp(Micros,utc=True)",
            "trade_id Required Int64 -",
            "seq Required Int32 -",
            // Enum8 is written as its names.
            "side Required ByteArray Enum",
            "fee Optional FixedLenByteArray(8) Decimal(18,8)",
            "settled_at Optional Int64 Timestamp(Micros,utc=True)",
            // Array(String): a required 3-level list (ClickHouse arrays are never null).
            "validation_errors Required group(1) List",
            "validation_errors.list Repeated group(1) -",
            "validation_errors.list.element Required ByteArray String",
        ]);
        footer.Leaves.Select(leaf => string.Join('.', leaf.Path)).ShouldBe(Paths.Where(p => p != "validation_errors" && p != "validation_errors.list"));
    }

    [Fact]
    public async Task Assigned_ids_are_on_every_element_and_only_the_footer_changes()
    {
        var original = await ClickHouseParquetSample.WriteAsync(fixture.ClickHouse, Ct);
        var originalLayout = ParquetFileLayout.Locate(original);

        var rewritten = ParquetFieldIds.Assign(original, ClickHouseParquetSample.IcebergFieldId);

        var footer = ParquetFooter.Read(rewritten);
        footer.Schema.Select(e => (string.Join('.', e.Path), e.FieldId)).ShouldBe(
            Paths.Select(p => (p, ClickHouseParquetSample.IcebergFieldId(p.Split('.')))));
        footer.Schema.Count(e => e.FieldId is null).ShouldBe(1, "only the list's repeated level has no id, as in Iceberg");
        var layout = ParquetFileLayout.Locate(rewritten);
        layout.FooterOffset.ShouldBe(originalLayout.FooterOffset);
        rewritten.AsSpan(0, (int)layout.FooterOffset).SequenceEqual(original.AsSpan(0, (int)originalLayout.FooterOffset)).ShouldBeTrue();
        // Each id adds a compact-protocol field header (one byte: field 9 comes within 15 of the field before it)
        // and its zigzag varint (one byte for ids below 64).
        var ids = Paths.Select(p => ClickHouseParquetSample.IcebergFieldId(p.Split('.'))).OfType<int>().ToList();
        ids.ShouldAllBe(id => id < 64);
        rewritten.Length.ShouldBe(original.Length + (ids.Count * 2));
        // Everything but the ids is as ClickHouse wrote it; and removing the ids gives back the original file.
        ParquetFieldIds.Assign(rewritten, _ => null).ShouldBe(original);
        ParquetFieldIds.Assign(rewritten, ClickHouseParquetSample.IcebergFieldId).ShouldBe(rewritten);
    }

    [Fact]
    public async Task Stream_rewrite_gives_the_same_bytes_as_the_in_memory_one()
    {
        var original = await ClickHouseParquetSample.WriteAsync(fixture.ClickHouse, Ct);
        using var directory = new TempDirectory("k2-parquet");
        var path = Path.Combine(directory.Path, "data.parquet");
        await File.WriteAllBytesAsync(path, original, Ct);
        using var destination = new MemoryStream();

        long length;
        await using (var source = File.OpenRead(path))
        {
            length = await ParquetFieldIds.AssignAsync(source, destination, ClickHouseParquetSample.IcebergFieldId, Ct);
        }

        destination.ToArray().ShouldBe(ParquetFieldIds.Assign(original, ClickHouseParquetSample.IcebergFieldId));
        length.ShouldBe(destination.Length);
        await using var rewritten = new MemoryStream(destination.ToArray());
        (await ParquetFooter.ReadAsync(rewritten, Ct)).Schema.Count(e => e.FieldId is not null).ShouldBe(13);
    }

    [Fact]
    public async Task ClickHouse_reads_the_rewritten_file_to_the_same_rows()
    {
        var original = await ClickHouseParquetSample.WriteAsync(fixture.ClickHouse, Ct);
        using var directory = new TempDirectory("k2-parquet");
        var originalPath = Path.Combine(directory.Path, "original.parquet");
        var rewrittenPath = Path.Combine(directory.Path, "rewritten.parquet");
        await File.WriteAllBytesAsync(originalPath, original, Ct);
        await File.WriteAllBytesAsync(rewrittenPath, ParquetFieldIds.Assign(original, ClickHouseParquetSample.IcebergFieldId), Ct);

        var expected = await TextAsync(ClickHouseParquetSample.Select, null);
        // chDB reads row groups in parallel and may return them in any order, so each read is ordered by trade id.
        var fromRewritten = await TextAsync(
            "SELECT * FROM file({path:String}, Parquet, {structure:String}) ORDER BY trade_id",
            new ClickHouseParameters().Add("path", rewrittenPath).Add("structure", ClickHouseParquetSample.Structure));
        var inferredOriginal = await TextAsync("SELECT * FROM file({path:String}, Parquet) ORDER BY trade_id", new ClickHouseParameters().Add("path", originalPath));
        var inferredRewritten = await TextAsync("SELECT * FROM file({path:String}, Parquet) ORDER BY trade_id", new ClickHouseParameters().Add("path", rewrittenPath));

        expected.Split('\n').Length.ShouldBe(ClickHouseParquetSample.Rows + 3, "names, types, the rows and the final newline");
        fromRewritten.ShouldBe(expected);
        inferredRewritten.ShouldBe(inferredOriginal);
    }

    [Fact]
    public async Task Hyparquet_sees_the_field_ids()
    {
        var original = await ClickHouseParquetSample.WriteAsync(fixture.ClickHouse, Ct);
        using var directory = new TempDirectory("k2-parquet");
        var originalPath = Path.Combine(directory.Path, "original.parquet");
        var rewrittenPath = Path.Combine(directory.Path, "rewritten.parquet");
        await File.WriteAllBytesAsync(originalPath, original, Ct);
        await File.WriteAllBytesAsync(rewrittenPath, ParquetFieldIds.Assign(original, ClickHouseParquetSample.IcebergFieldId), Ct);

        var before = await Hyparquet.ReadMetadataAsync(originalPath, Ct);
        var after = await Hyparquet.ReadMetadataAsync(rewrittenPath, Ct);

        before.Schema.ShouldAllBe(element => element.FieldId == null);
        after.NumRows.ShouldBe(ClickHouseParquetSample.Rows);
        after.RowGroups.ShouldBe(before.RowGroups);
        // hyparquet lists the root first; its name is ClickHouse's and it carries no id.
        after.Schema[0].FieldId.ShouldBeNull();
        after.Schema.Skip(1).Select(e => (e.Name, e.FieldId)).ShouldBe(
            Paths.Select(p => (p.Split('.')[^1], ClickHouseParquetSample.IcebergFieldId(p.Split('.')))));
        after.Schema.Select(e => (e.Name, e.RepetitionType, e.NumChildren)).ShouldBe(before.Schema.Select(e => (e.Name, e.RepetitionType, e.NumChildren)));
    }

    [Fact]
    public async Task Row_groups_give_the_counts_sizes_bounds_and_offsets_a_manifest_needs()
    {
        var file = await ClickHouseParquetSample.WriteAsync(fixture.ClickHouse, Ct);

        var footer = ParquetFooter.Read(ParquetFieldIds.Assign(file, ClickHouseParquetSample.IcebergFieldId));

        footer.RowGroups.Count.ShouldBeGreaterThan(1);
        footer.RowGroups.Sum(g => g.RowCount).ShouldBe(ClickHouseParquetSample.Rows);
        footer.RowGroups[0].StartOffset.ShouldBe(4, "the first row group starts right after PAR1");
        footer.RowGroups.ShouldAllBe(g => g.FileOffset == g.StartOffset);
        // Row groups follow each other; ClickHouse may put bloom filters and page indexes between them.
        footer.RowGroups.Zip(footer.RowGroups.Skip(1)).ShouldAllBe(pair => pair.First.StartOffset + pair.First.TotalCompressedSize <= pair.Second.StartOffset);
        foreach (var group in footer.RowGroups)
        {
            group.Columns.Select(c => c.Path).ShouldBe(footer.Leaves.Select(leaf => leaf.Path));
            group.Columns.ShouldAllBe(c => c.Codec == ParquetCompressionCodec.Zstd);
            group.Columns.Sum(c => c.TotalCompressedSize).ShouldBe(group.TotalCompressedSize!.Value);
        }

        var columns = footer.RowGroups.SelectMany(g => g.Columns).ToLookup(c => string.Join('.', c.Path));
        // value_counts include nulls; a list column counts its elements, and an empty list as one value.
        columns["fee"].Sum(c => c.ValueCount).ShouldBe(ClickHouseParquetSample.Rows);
        columns["validation_errors.list.element"].Sum(c => c.ValueCount).ShouldBe(3_750 + 625);
        // null_count is written for nullable columns only; ClickHouse leaves it out where a column is required.
        columns["fee"].Sum(c => c.Statistics!.NullCount).ShouldBe(500);
        columns["settled_at"].Sum(c => c.Statistics!.NullCount).ShouldBe(358);
        columns["trade_id"].ShouldAllBe(c => c.Statistics!.NullCount == null);
        // Raw PLAIN bounds: INT64 little-endian; DECIMAL big-endian two's complement of the column's fixed width.
        columns["trade_id"].Min(c => BitConverter.ToInt64(c.Statistics!.MinValue)).ShouldBe(-1_000_000_000);
        columns["trade_id"].Max(c => BitConverter.ToInt64(c.Statistics!.MaxValue)).ShouldBe(2_499L * 1_000_003 - 1_000_000_000);
        columns["seq"].Min(c => BitConverter.ToInt32(c.Statistics!.MinValue)).ShouldBe(-1_000);
        columns["price"].Min(c => (long)new System.Numerics.BigInteger(c.Statistics!.MinValue, isBigEndian: true)).ShouldBe(-2_498_12345678);
        columns["price"].Max(c => (long)new System.Numerics.BigInteger(c.Statistics!.MaxValue, isBigEndian: true)).ShouldBe(2_499_12345678);
        columns["symbol"].Select(c => Encoding.UTF8.GetString(c.Statistics!.MinValue!)).Min().ShouldBe("SYM0");
        columns["side"].Select(c => Encoding.UTF8.GetString(c.Statistics!.MaxValue!)).Max().ShouldBe("sell");
    }

    private Task<string> TextAsync(string sql, ClickHouseParameters? parameters) =>
        fixture.ClickHouse.QueryAsync(sql, parameters, "TSVWithNamesAndTypes", bytes => Encoding.UTF8.GetString(bytes), Ct);

    private static string Describe(ParquetSchemaElement e)
    {
        var physical = e.IsLeaf
            ? e.PhysicalType == ParquetPhysicalType.FixedLenByteArray ? $"FixedLenByteArray({e.TypeLength})" : $"{e.PhysicalType}"
            : $"group({e.ChildCount})";
        var logical = e.LogicalType switch
        {
            null => "-",
            { Kind: ParquetLogicalTypeKind.Decimal } t => $"Decimal({t.Precision},{t.Scale})",
            { Kind: ParquetLogicalTypeKind.Timestamp } t => $"Timestamp({t.Unit},utc={t.IsAdjustedToUtc})",
            var t => $"{t.Kind}",
        };
        return $"{string.Join('.', e.Path)} {e.Repetition} {physical} {logical}";
    }
}
