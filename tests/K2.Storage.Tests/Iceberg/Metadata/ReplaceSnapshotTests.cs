using K2.Storage.Iceberg.Metadata;

namespace K2.Storage.Tests.Iceberg.Metadata;

public sealed class ReplaceSnapshotTests
{
    private const string Location = "file:///wh/cold/silver_trades";
    private const long Created = 1_700_000_000_000;

    private static TableMetadata WithTwoAppends()
    {
        var metadata = TableMetadataUpdates.NewTable(
            ColdTables.SilverTrades.Schema, ColdTables.SilverTrades.PartitionSpec, Location, Guid.NewGuid(), Created);
        metadata = TableMetadataUpdates.AppendSnapshot(metadata, 1, $"{Location}/metadata/snap-1.avro", new AppendedFiles(2, 10, 100),
            new Dictionary<string, string> { ["k2.offload.watermark"] = "5" }, MetadataFileNames.MetadataLocation(Location, 1), Created + 1);
        return TableMetadataUpdates.AppendSnapshot(metadata, 2, $"{Location}/metadata/snap-2.avro", new AppendedFiles(2, 20, 200),
            new Dictionary<string, string> { ["k2.offload.watermark"] = "9" }, MetadataFileNames.MetadataLocation(Location, 2), Created + 2);
    }

    private static TableMetadata Replace(TableMetadata current, ReplacedFiles replaced, long snapshotId = 3) =>
        TableMetadataUpdates.ReplaceSnapshot(current, snapshotId, $"{Location}/metadata/snap-{snapshotId}.avro", replaced,
            new Dictionary<string, string> { ["k2.offload.watermark"] = "9" }, MetadataFileNames.MetadataLocation(Location, 3), Created + 3);

    [Fact]
    public void A_replace_moves_main_to_a_replace_snapshot_whose_totals_keep_the_rows_and_count_the_files()
    {
        var current = WithTwoAppends();

        var replaced = Replace(current, new ReplacedFiles(1, 30, 250, 4, 30, 300));

        var snapshot = replaced.CurrentSnapshot!;
        (snapshot.SnapshotId, snapshot.ParentSnapshotId, snapshot.SequenceNumber).ShouldBe((3L, (long?)2, 3L));
        replaced.Refs[SnapshotRef.MainBranch].SnapshotId.ShouldBe(3);
        snapshot.Summary["operation"].ShouldBe("replace");
        snapshot.Summary["added-data-files"].ShouldBe("1");
        snapshot.Summary["deleted-data-files"].ShouldBe("4");
        snapshot.Summary["total-data-files"].ShouldBe("1");
        snapshot.Summary["total-records"].ShouldBe("30");
        snapshot.Summary["total-files-size"].ShouldBe("250");
        snapshot.Summary["k2.offload.watermark"].ShouldBe("9");
        replaced.MetadataLog.Last().MetadataFile.ShouldBe(MetadataFileNames.MetadataLocation(Location, 3));
        current.CurrentSnapshotId.ShouldBe(2, "the input is untouched");
    }

    [Fact]
    public void A_compaction_that_drops_superseded_rows_is_an_overwrite_whose_total_counts_the_rows_left()
    {
        var replaced = Replace(WithTwoAppends(), new ReplacedFiles(1, 21, 250, 4, 30, 300));

        var snapshot = replaced.CurrentSnapshot!;
        snapshot.Summary["operation"].ShouldBe("overwrite");
        snapshot.Summary["added-records"].ShouldBe("21");
        snapshot.Summary["deleted-records"].ShouldBe("30");
        snapshot.Summary["total-records"].ShouldBe("21");
        snapshot.Summary["total-data-files"].ShouldBe("1");
    }

    [Fact]
    public void A_replace_that_adds_rows_a_computed_key_or_a_table_without_snapshots_is_refused()
    {
        Should.Throw<ArgumentException>(() => Replace(WithTwoAppends(), new ReplacedFiles(1, 31, 250, 4, 30, 300))).Message.ShouldContain("never adds rows");
        Should.Throw<ArgumentException>(() => TableMetadataUpdates.ReplaceSnapshot(WithTwoAppends(), 3, "x", new ReplacedFiles(1, 1, 1, 1, 1, 1),
            new Dictionary<string, string> { ["operation"] = "append" }, "y", Created)).Message.ShouldContain("'operation'");
        Should.Throw<ArgumentException>(() => Replace(WithTwoAppends(), new ReplacedFiles(1, 1, 1, 1, 1, 1), snapshotId: 2)).Message.ShouldContain("already used");
        var empty = TableMetadataUpdates.NewTable(ColdTables.SilverTrades.Schema, ColdTables.SilverTrades.PartitionSpec, Location, Guid.NewGuid(), Created);
        Should.Throw<ArgumentException>(() => Replace(empty, new ReplacedFiles(1, 1, 1, 1, 1, 1))).Message.ShouldContain("no snapshot");
    }
}
