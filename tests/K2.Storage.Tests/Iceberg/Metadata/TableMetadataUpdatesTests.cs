using K2.Storage.Iceberg.Metadata;

namespace K2.Storage.Tests.Iceberg.Metadata;

public sealed class TableMetadataUpdatesTests
{
    private const string Location = "file:///wh/cold/silver_trades";
    private const long Created = 1_700_000_000_000;

    private static readonly Dictionary<string, string> NoExtras = [];

    private static TableMetadata NewSilver() => TableMetadataUpdates.NewTable(
        ColdTables.SilverTrades.Schema, ColdTables.SilverTrades.PartitionSpec, Location, Guid.NewGuid(), Created,
        new Dictionary<string, string> { ["write.format.default"] = "parquet" });

    private static TableMetadata Append(TableMetadata current, long snapshotId, int version, long atMs, AppendedFiles? added = null) =>
        TableMetadataUpdates.AppendSnapshot(current, snapshotId, $"{Location}/metadata/snap-{snapshotId}.avro", added ?? new AppendedFiles(1, 10, 100),
            NoExtras, MetadataFileNames.MetadataLocation(Location, version), atMs);

    [Fact]
    public void A_new_table_has_the_schemas_ids_the_name_mapping_and_the_callers_properties()
    {
        var metadata = NewSilver();

        metadata.LastColumnId.ShouldBe(10);
        metadata.LastPartitionId.ShouldBe(1000);
        metadata.CurrentSnapshotId.ShouldBeNull();
        metadata.Properties["write.format.default"].ShouldBe("parquet");
        metadata.Properties[NameMapping.PropertyName].ShouldBe(NameMapping.ToJson(ColdTables.SilverTrades.Schema));
    }

    [Fact]
    public void A_partition_on_a_column_the_schema_lacks_is_refused()
    {
        Should.Throw<ArgumentException>(() => TableMetadataUpdates.NewTable(
            ColdTables.SilverTrades.Schema, new PartitionSpec(0, [new PartitionField(99, 1000, "x_day", "day")]), Location, Guid.NewGuid(), Created))
            .Message.ShouldContain("source id 99");
    }

    [Fact]
    public void Appends_chain_snapshots_with_sequence_numbers_totals_logs_and_main()
    {
        var empty = NewSilver();

        var first = TableMetadataUpdates.AppendSnapshot(empty, 11, $"{Location}/metadata/snap-11.avro", new AppendedFiles(2, 1_000, 5_000),
            new Dictionary<string, string> { ["k2.offload.watermark"] = "1700000000000000:abc" }, MetadataFileNames.MetadataLocation(Location, 1), Created + 10);
        var second = Append(first, 22, 2, Created + 20, new AppendedFiles(3, 500, 700));

        empty.CurrentSnapshotId.ShouldBeNull();
        first.CurrentSnapshot!.Summary.ShouldBe(new Dictionary<string, string>
        {
            ["operation"] = "append", ["added-data-files"] = "2", ["added-records"] = "1000", ["added-files-size"] = "5000",
            ["total-data-files"] = "2", ["total-records"] = "1000", ["total-files-size"] = "5000", ["total-delete-files"] = "0",
            ["total-position-deletes"] = "0", ["total-equality-deletes"] = "0", ["k2.offload.watermark"] = "1700000000000000:abc",
        }, ignoreOrder: true);
        var head = second.CurrentSnapshot!;
        head.ShouldBe(second.Snapshots[1]);
        head.ParentSnapshotId.ShouldBe(11);
        head.SequenceNumber.ShouldBe(2);
        head.SchemaId.ShouldBe(0);
        head.TimestampMs.ShouldBe(Created + 20);
        head.Summary["total-records"].ShouldBe("1500");
        head.Summary["total-data-files"].ShouldBe("5");
        head.Summary["total-files-size"].ShouldBe("5700");
        head.Summary.ContainsKey("k2.offload.watermark").ShouldBeFalse();
        second.LastSequenceNumber.ShouldBe(2);
        second.LastUpdatedMs.ShouldBe(Created + 20);
        second.Refs.ShouldBe(new Dictionary<string, SnapshotRef> { ["main"] = SnapshotRef.Branch(22) });
        second.SnapshotLog.ShouldBe([new SnapshotLogEntry(11, Created + 10), new SnapshotLogEntry(22, Created + 20)]);
        second.MetadataLog.ShouldBe([new MetadataLogEntry($"{Location}/metadata/v1.metadata.json", Created + 10), new MetadataLogEntry($"{Location}/metadata/v2.metadata.json", Created + 20)]);
        TableMetadataJson.Read(TableMetadataJson.Write(second)).CurrentSnapshot!.Summary["total-records"].ShouldBe("1500");
    }

    [Fact]
    public void A_clock_behind_the_last_update_never_moves_the_table_back_in_time()
    {
        var appended = Append(NewSilver(), 11, 1, Created - 5_000);

        appended.LastUpdatedMs.ShouldBe(Created);
        appended.CurrentSnapshot!.TimestampMs.ShouldBe(Created);
    }

    [Fact]
    public void An_append_refuses_a_taken_or_negative_id_a_computed_summary_key_and_a_broken_parent_total()
    {
        var first = Append(NewSilver(), 11, 1, Created);

        Should.Throw<ArgumentException>(() => Append(first, 11, 2, Created)).Message.ShouldContain("already used");
        Should.Throw<ArgumentException>(() => Append(first, -3, 2, Created)).Message.ShouldContain("not positive");
        Should.Throw<ArgumentException>(() => TableMetadataUpdates.AppendSnapshot(first, 12, "m.avro", new AppendedFiles(1, 1, 1),
            new Dictionary<string, string> { ["total-records"] = "7" }, "v2.metadata.json", Created)).Message.ShouldContain("'total-records'");
        var broken = first with
        {
            Snapshots = [first.Snapshots[0] with { Summary = new Dictionary<string, string> { ["operation"] = "append", ["total-records"] = "many" } }],
        };
        Should.Throw<IcebergMetadataException>(() => Append(broken, 12, 2, Created)).Message.ShouldContain("'total-records' is not a count: 'many'");
    }

    [Fact]
    public void Expiry_removes_old_snapshots_but_always_keeps_the_current_one()
    {
        var metadata = Append(Append(Append(NewSilver(), 1, 1, 1_000 + Created), 2, 2, 2_000 + Created), 3, 3, 3_000 + Created);

        var partial = TableMetadataUpdates.ExpireSnapshots(metadata, Created + 2_500, MetadataFileNames.MetadataLocation(Location, 4), Created + 9_000);
        var all = TableMetadataUpdates.ExpireSnapshots(metadata, long.MaxValue, MetadataFileNames.MetadataLocation(Location, 4), Created + 9_000);

        partial.Removed.Select(s => s.SnapshotId).ShouldBe([1L, 2L]);
        partial.Metadata.Snapshots.Select(s => s.SnapshotId).ShouldBe([3L]);
        partial.Metadata.SnapshotLog.ShouldBe([new SnapshotLogEntry(3, Created + 3_000)]);
        partial.Metadata.CurrentSnapshotId.ShouldBe(3);
        partial.Metadata.MetadataLog[^1].ShouldBe(new MetadataLogEntry($"{Location}/metadata/v4.metadata.json", Created + 9_000));
        all.Removed.Count.ShouldBe(2);
        all.Metadata.Snapshots.Single().SnapshotId.ShouldBe(3);
    }

    [Fact]
    public void Expiry_with_nothing_old_enough_returns_the_same_metadata_to_skip_the_commit()
    {
        var metadata = Append(Append(NewSilver(), 1, 1, Created + 1_000), 2, 2, Created + 2_000);

        var expiry = TableMetadataUpdates.ExpireSnapshots(metadata, Created + 500, "v3.metadata.json", Created + 9_000);

        expiry.Removed.ShouldBeEmpty();
        expiry.Metadata.ShouldBeSameAs(metadata);
        TableMetadataUpdates.ExpireSnapshots(NewSilver(), long.MaxValue, "v1.metadata.json", Created).Removed.ShouldBeEmpty();
    }

    [Fact]
    public void The_metadata_log_keeps_the_most_recent_hundred_files()
    {
        var metadata = NewSilver();
        for (var i = 1; i <= TableMetadataUpdates.MetadataLogLimit + 5; i++)
        {
            metadata = Append(metadata, i, i, Created + i);
        }

        metadata.MetadataLog.Count.ShouldBe(TableMetadataUpdates.MetadataLogLimit);
        metadata.MetadataLog[0].MetadataFile.ShouldEndWith("/v6.metadata.json");
    }

    [Fact]
    public void New_snapshot_ids_are_positive_and_distinct()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => SnapshotIds.New()).ToList();

        ids.ShouldAllBe(id => id > 0);
        ids.Distinct().Count().ShouldBe(ids.Count);
    }
}
