using K2.Storage.Iceberg.Metadata;
using K2.Storage.Tests.Support;
using K2.Testing;

namespace K2.Storage.Tests.Iceberg.Metadata;

/// <summary>
/// What ClickHouse's own Iceberg reader makes of a table K2 created but never appended to: metadata written by
/// <see cref="TableMetadataJson"/> with no snapshot, named by <see cref="MetadataFileNames"/>.
/// </summary>
public sealed class IcebergLocalEmptyTableTests(EmbeddedClickHouseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string WriteEmptyTable(string root, ColdTable table, int versions)
    {
        var location = Path.Combine(root, table.Name);
        Directory.CreateDirectory(Path.Combine(location, MetadataFileNames.MetadataDirectory));
        var metadata = TableMetadataUpdates.NewTable(table.Schema, table.PartitionSpec, location, Guid.NewGuid(), 1_700_000_000_000);
        for (var version = 1; version <= versions; version++)
        {
            File.WriteAllBytes(MetadataFileNames.MetadataLocation(location, version), TableMetadataJson.Write(metadata with { LastUpdatedMs = metadata.LastUpdatedMs + version }));
        }

        File.WriteAllBytes(MetadataFileNames.VersionHintLocation(location), MetadataFileNames.VersionHint(versions));
        return ReaderPath(location);
    }

    /// <summary>
    /// The table path as chDB's <c>icebergLocal</c> accepts it: its <c>user_files_path</c> is <c>.</c> (the working
    /// directory), so a path outside it is refused (PATH_ACCESS_DENIED) and one below it, given relative, is read.
    /// </summary>
    private static string ReaderPath(string location) => Path.GetRelativePath(Environment.CurrentDirectory, location);

    [Fact]
    public async Task An_absolute_table_path_is_refused_by_chDB()
    {
        using var directory = new TempDirectory("k2-iceberg-absolute");

        var error = await Should.ThrowAsync<K2.Storage.ClickHouse.ClickHouseException>(() =>
            fixture.ClickHouse.QueryRawTextAsync($"SELECT count() FROM icebergLocal('{directory.Path}')", Ct));

        error.Message.ShouldContain("PATH_ACCESS_DENIED");
    }

    [Fact]
    public async Task An_empty_table_reads_as_zero_rows_with_the_schemas_columns()
    {
        using var directory = TempDirectory.BelowWorkingDirectory("k2-iceberg-empty");

        await AssertEmptyBronzeReads(WriteEmptyTable(directory.Path, ColdTables.BronzeTrades(K2.Core.Exchange.Binance), versions: 1));
    }

    private async Task AssertEmptyBronzeReads(string location)
    {
        var count = await fixture.ClickHouse.QueryRawTextAsync($"SELECT count() FROM icebergLocal('{location}')", Ct);
        var described = await fixture.ClickHouse.QueryRawTextAsync($"DESCRIBE TABLE icebergLocal('{location}')", Ct);
        var columns = described.Split('\n').Select(line => string.Join('\t', line.Split('\t').Take(2)));

        count.ShouldBe("0");
        columns.ShouldBe(
        [
            "receipt_ts\tDateTime64(6, 'UTC')", "source\tString", "connection_id\tString", "frame_seq\tInt64", "trade_index\tInt32",
            "raw_symbol\tString", "symbol\tString", "trade_id\tString", "price\tNullable(Decimal(18, 8))", "quantity\tNullable(Decimal(18, 8))",
            "side\tNullable(String)", "exchange_ts\tNullable(DateTime64(6, 'UTC'))", "raw_frame\tString", "reject_reason\tString",
            "validation_errors\tArray(String)", "ingest_ts\tDateTime64(6, 'UTC')",
        ]);
    }

    [Fact]
    public async Task With_several_versions_the_reader_takes_the_highest_and_v10_is_above_v9()
    {
        using var directory = TempDirectory.BelowWorkingDirectory("k2-iceberg-versions");

        var location = WriteEmptyTable(directory.Path, ColdTables.SilverTrades, versions: 10);
        // Version 9 is broken: were it chosen over v10 (a lexicographic pick), the read would fail.
        File.WriteAllText(MetadataFileNames.MetadataLocation(location, 9), "{");

        var count = await fixture.ClickHouse.QueryRawTextAsync($"SELECT count() FROM icebergLocal('{location}')", Ct);

        count.ShouldBe("0");
    }
}
