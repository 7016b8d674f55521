using System.Globalization;
using System.Runtime.InteropServices;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Parquet;
using K2.Storage.Tests.Support;
using K2.Testing;

namespace K2.Storage.Tests.Iceberg.Parquet;

/// <summary>
/// <see cref="ParquetChunkStitcher"/> on files the real engine writes: pieces of <see cref="ClickHouseParquetSample"/>
/// (every K2 column type, nulls, lists, several row groups per file) join into one file that Parquet.Net and chDB read
/// back exactly, with every offset moved by where its bytes landed; files it cannot join are refused, naming why.
/// </summary>
public sealed class ParquetChunkStitcherTests(EmbeddedClickHouseFixture fixture)
{
    /// <summary>What the streaming connections set: no page index, no bloom filter.</summary>
    private const string StitchableSettings = "output_format_parquet_write_page_index = 0, output_format_parquet_write_bloom_filter = 0";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pieces_of_the_sample_join_into_one_file_that_both_readers_read_exactly()
    {
        // Three files of 1,000, 1,000 and 500 rows, in row groups of at most 400 rows.
        var files = await Task.WhenAll(new[] { (0, 1000), (1000, 1000), (2000, 500) }.Select(range =>
            SampleFileAsync(range.Item1, range.Item2, $"{StitchableSettings}, output_format_parquet_row_group_size = 400")));
        var output = new RecordingChunkWriter();
        var stitcher = new ParquetChunkStitcher(output.WriteAsync);

        foreach (var file in files)
        {
            await stitcher.AddAsync(file, Ct);
        }

        await stitcher.CompleteAsync(Ct);

        var stitched = output.Bytes;
        var groupsPerFile = files.Select(f => ParquetFooter.Read(f).RowGroups.Count).ToArray();
        groupsPerFile.Max().ShouldBeGreaterThan(1); // row groups after the first in a file move too
        stitcher.RowCount.ShouldBe(ClickHouseParquetSample.Rows);
        stitcher.RowGroupCount.ShouldBe(groupsPerFile.Sum());
        var expectedRows = new List<string>();
        foreach (var file in files)
        {
            expectedRows.AddRange((await ParquetRows.ReadAsync(file, Ct)).Rows);
        }

        var (rowGroups, rows) = await ParquetRows.ReadAsync(stitched, Ct);
        rowGroups.ShouldBe(groupsPerFile.Sum());
        rows.ShouldBeSameSequence(expectedRows);
        using var directory = new TempDirectory("k2-stitch");
        var path = Path.Combine(directory.Path, "stitched.parquet");
        await File.WriteAllBytesAsync(path, stitched, Ct);
        // chDB reads row groups in parallel and may return them in any order; the row order is checked by Parquet.Net above.
        var fromFile = await fixture.ClickHouse.QueryRawTextAsync(
            "SELECT * FROM file({path:String}, Parquet, {structure:String}) ORDER BY trade_id", Ct,
            new ClickHouseParameters().Add("path", path).Add("structure", ClickHouseParquetSample.Structure));
        fromFile.ShouldBe(await fixture.ClickHouse.QueryRawTextAsync(ClickHouseParquetSample.Select, Ct));
    }

    [Fact]
    public async Task Every_offset_moves_by_where_its_file_landed_and_the_data_is_passed_on_uncopied()
    {
        var files = await Task.WhenAll(SampleFileAsync(0, 1200, StitchableSettings), SampleFileAsync(1200, 1300, StitchableSettings));
        var pieces = new List<ArraySegment<byte>>();
        var stitcher = new ParquetChunkStitcher((chunk, _) =>
        {
            MemoryMarshal.TryGetArray(chunk, out var segment).ShouldBeTrue();
            pieces.Add(segment);
            return ValueTask.CompletedTask;
        });

        await stitcher.AddAsync(files[0], Ct);
        await stitcher.AddAsync(files[1], Ct);
        await stitcher.CompleteAsync(Ct);

        // The first file up to its footer, the second without its magic: the caller's own arrays, not copies.
        var firstData = FooterOffset(files[0]);
        pieces[0].Array.ShouldBeSameAs(files[0]);
        (pieces[0].Offset, pieces[0].Count).ShouldBe((0, firstData));
        pieces[1].Array.ShouldBeSameAs(files[1]);
        (pieces[1].Offset, pieces[1].Count).ShouldBe((4, FooterOffset(files[1]) - 4));
        var stitched = pieces.SelectMany(p => p).ToArray();
        var shift = firstData - 4;
        var footer = ParquetFooter.Read(stitched);
        var originals = files.SelectMany((file, i) => ParquetFooter.Read(file).RowGroups.Select(group => (group, Shift: i == 0 ? 0 : shift))).ToList();
        footer.RowGroups.Count.ShouldBe(originals.Count);
        foreach (var (group, (original, by)) in footer.RowGroups.Zip(originals))
        {
            group.RowCount.ShouldBe(original.RowCount);
            group.FileOffset.ShouldBe(original.FileOffset + by);
            group.Columns.Select(c => (c.DataPageOffset, c.DictionaryPageOffset)).ShouldBe(
                original.Columns.Select(c => (c.DataPageOffset + by, c.DictionaryPageOffset + by)));
        }

        footer.RowCount.ShouldBe(2500);
        footer.Schema.Select(e => e.ToString()).ShouldBe(ParquetFooter.Read(files[0]).Schema.Select(e => e.ToString()));
    }

    [Fact]
    public async Task An_empty_result_is_one_file_without_row_groups()
    {
        var empty = await fixture.ClickHouse.QueryAsync(
            $"SELECT number FROM numbers(10) WHERE number > 100 SETTINGS {StitchableSettings}", null, ClickHouseFormats.Parquet, static d => d.ToArray(), Ct);
        var output = new RecordingChunkWriter();
        var stitcher = new ParquetChunkStitcher(output.WriteAsync);

        await stitcher.AddAsync(empty, Ct);
        await stitcher.CompleteAsync(Ct);

        output.Bytes.ShouldBe(empty); // PAR1 and the same footer: nothing moved
    }

    [Fact]
    public async Task A_file_with_another_schema_is_refused_before_any_of_it_is_written()
    {
        var numbers = await QueryParquetAsync($"SELECT number FROM numbers(10) SETTINGS {StitchableSettings}");
        var texts = await QueryParquetAsync($"SELECT toString(number) AS number FROM numbers(10) SETTINGS {StitchableSettings}");
        var output = new RecordingChunkWriter();
        var stitcher = new ParquetChunkStitcher(output.WriteAsync);
        await stitcher.AddAsync(numbers, Ct);

        var error = await Should.ThrowAsync<FormatException>(() => stitcher.AddAsync(texts, Ct).AsTask());

        error.Message.ShouldContain("streamed Parquet file 1 differs from the first in its schema");
        output.Writes.ShouldBe(1);
    }

    [Theory]
    [InlineData("output_format_parquet_write_bloom_filter = 0", "an offset index (page index)")] // the page index is on by default
    [InlineData("output_format_parquet_write_page_index = 0", "a bloom filter")]
    public async Task A_file_with_structures_outside_its_footer_is_refused(string settings, string what)
    {
        var file = await QueryParquetAsync($"SELECT number FROM numbers(10) SETTINGS {settings}");
        var stitcher = new ParquetChunkStitcher(new RecordingChunkWriter().WriteAsync);

        var error = await Should.ThrowAsync<FormatException>(() => stitcher.AddAsync(file, Ct).AsTask());

        error.Message.ShouldContain($"has {what}");
    }

    [Fact]
    public async Task A_piece_that_is_not_a_whole_Parquet_file_is_refused()
    {
        var file = await QueryParquetAsync($"SELECT number FROM numbers(10) SETTINGS {StitchableSettings}");
        var stitcher = new ParquetChunkStitcher(new RecordingChunkWriter().WriteAsync);

        var error = await Should.ThrowAsync<FormatException>(() => stitcher.AddAsync(file.AsMemory(0, file.Length - 1), Ct).AsTask());

        error.Message.ShouldStartWith("The streamed Parquet file 0 is not a whole Parquet file: ");
    }

    [Fact]
    public async Task A_stream_without_any_file_has_no_footer_to_end_with()
    {
        var stitcher = new ParquetChunkStitcher(new RecordingChunkWriter().WriteAsync);

        var error = await Should.ThrowAsync<FormatException>(() => stitcher.CompleteAsync(Ct).AsTask());

        error.Message.ShouldContain("carried no Parquet file");
    }

    private Task<byte[]> SampleFileAsync(int offset, int rows, string settings) =>
        QueryParquetAsync(string.Create(CultureInfo.InvariantCulture,
            $"SELECT * FROM ({ClickHouseParquetSample.Select}) LIMIT {rows} OFFSET {offset} SETTINGS {settings}, output_format_parquet_compression_method = 'zstd'"));

    private Task<byte[]> QueryParquetAsync(string sql) =>
        fixture.ClickHouse.QueryAsync(sql, null, ClickHouseFormats.Parquet, static data => data.ToArray(), Ct);

    private static int FooterOffset(byte[] file) => (int)ParquetFileLayout.Locate(file).FooterOffset;
}
