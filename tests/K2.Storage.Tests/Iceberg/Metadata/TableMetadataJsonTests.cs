using System.Text;
using System.Text.Json.Nodes;
using K2.Storage.Iceberg.Metadata;

namespace K2.Storage.Tests.Iceberg.Metadata;

/// <summary>The metadata file format: the spec's own v2 example reads, K2's files carry exactly Appendix C's fields.</summary>
public sealed class TableMetadataJsonTests
{
    /// <summary>The reference implementation's v2 fixture (core/src/test/resources/TableMetadataV2Valid.json).</summary>
    private const string SpecExample = """
        {
          "format-version": 2,
          "table-uuid": "9c12d441-03fe-4693-9a96-a0705ddf69c1",
          "location": "s3://bucket/test/location",
          "last-sequence-number": 34,
          "last-updated-ms": 1602638573590,
          "last-column-id": 3,
          "current-schema-id": 1,
          "schemas": [ {"type": "struct","schema-id": 0,"fields": [{"id": 1,"name": "x","required": true,"type": "long"}]},
                       {"type": "struct","schema-id": 1,"identifier-field-ids": [1,2],"fields": [
                           {"id": 1,"name": "x","required": true,"type": "long"},
                           {"id": 2,"name": "y","required": true,"type": "long","doc": "comment"},
                           {"id": 3,"name": "z","required": true,"type": "long"}]} ],
          "default-spec-id": 0,
          "partition-specs": [ {"spec-id": 0,"fields": [{"name": "x","transform": "identity","source-id": 1,"field-id": 1000}]} ],
          "last-partition-id": 1000,
          "default-sort-order-id": 3,
          "sort-orders": [ {"order-id": 3,"fields": [
                {"transform": "identity","source-id": 2,"direction": "asc","null-order": "nulls-first"},
                {"transform": "bucket[4]","source-id": 3,"direction": "desc","null-order": "nulls-last"}]} ],
          "properties": {},
          "current-snapshot-id": 3055729675574597004,
          "snapshots": [
            {"snapshot-id": 3051729675574597004,"timestamp-ms": 1515100955770,"sequence-number": 0,
             "summary": {"operation": "append"},"manifest-list": "s3://a/b/1.avro"},
            {"snapshot-id": 3055729675574597004,"parent-snapshot-id": 3051729675574597004,"timestamp-ms": 1555100955770,
             "sequence-number": 1,"summary": {"operation": "append"},"manifest-list": "s3://a/b/2.avro","schema-id": 1} ],
          "snapshot-log": [ {"snapshot-id": 3051729675574597004,"timestamp-ms": 1515100955770},
                            {"snapshot-id": 3055729675574597004,"timestamp-ms": 1555100955770} ],
          "metadata-log": []
        }
        """;

    private static TableMetadata Read(string json) => TableMetadataJson.Read(Encoding.UTF8.GetBytes(json));

    private static JsonObject WrittenJson(TableMetadata metadata) => JsonNode.Parse(TableMetadataJson.Write(metadata))!.AsObject();

    [Fact]
    public void The_specs_v2_example_reads_with_every_field()
    {
        var metadata = Read(SpecExample);

        metadata.TableUuid.ShouldBe(Guid.Parse("9c12d441-03fe-4693-9a96-a0705ddf69c1"));
        metadata.Location.ShouldBe("s3://bucket/test/location");
        metadata.LastSequenceNumber.ShouldBe(34);
        metadata.LastUpdatedMs.ShouldBe(1602638573590);
        metadata.LastColumnId.ShouldBe(3);
        metadata.CurrentSchema.Fields.Select(f => (f.Id, f.Name, f.Required, f.Type)).ShouldBe(
            [(1, "x", true, (IcebergType)PrimitiveType.Long), (2, "y", true, PrimitiveType.Long), (3, "z", true, PrimitiveType.Long)]);
        metadata.DefaultSpec.Fields.ShouldBe([new PartitionField(1, 1000, "x", "identity")]);
        metadata.SortOrders.Single().Fields[1].ShouldBe(new SortField("bucket[4]", 3, "desc", "nulls-last"));
        metadata.CurrentSnapshot!.ParentSnapshotId.ShouldBe(3051729675574597004);
        metadata.CurrentSnapshot.SchemaId.ShouldBe(1);
        metadata.Snapshots[0].SchemaId.ShouldBeNull();
        metadata.Snapshots[0].ParentSnapshotId.ShouldBeNull();
        metadata.SnapshotLog.Count.ShouldBe(2);
        metadata.Refs.ShouldBeEmpty();
    }

    [Fact]
    public void What_is_written_reads_back_to_the_same_file()
    {
        var first = TableMetadataJson.Write(Read(SpecExample) with { Refs = new Dictionary<string, SnapshotRef> { ["main"] = SnapshotRef.Branch(3055729675574597004) } });

        var second = TableMetadataJson.Write(TableMetadataJson.Read(first));

        Encoding.UTF8.GetString(second).ShouldBe(Encoding.UTF8.GetString(first));
    }

    [Fact]
    public void A_new_table_carries_every_field_v2_requires_and_no_snapshot()
    {
        var json = WrittenJson(TableMetadataUpdates.NewTable(
            ColdTables.SilverTrades.Schema, ColdTables.SilverTrades.PartitionSpec, "file:///wh/cold/silver_trades/",
            Guid.Parse("11111111-2222-3333-4444-555555555555"), 1_700_000_000_000));

        json.Select(p => p.Key).ShouldBe(
        [
            "format-version", "table-uuid", "location", "last-sequence-number", "last-updated-ms", "last-column-id",
            "current-schema-id", "schemas", "default-spec-id", "partition-specs", "last-partition-id",
            "default-sort-order-id", "sort-orders", "properties", "current-snapshot-id", "refs", "snapshots",
            "snapshot-log", "metadata-log",
        ]);
        json["format-version"]!.GetValue<int>().ShouldBe(2);
        json["table-uuid"]!.GetValue<string>().ShouldBe("11111111-2222-3333-4444-555555555555");
        json["location"]!.GetValue<string>().ShouldBe("file:///wh/cold/silver_trades");
        json["last-sequence-number"]!.GetValue<long>().ShouldBe(0);
        json["last-column-id"]!.GetValue<int>().ShouldBe(10);
        json["last-partition-id"]!.GetValue<int>().ShouldBe(1000);
        json["current-snapshot-id"]!.GetValue<long>().ShouldBe(-1);
        json["refs"]!.AsObject().Count.ShouldBe(0);
        json["partition-specs"]!.ToJsonString().ShouldBe("""[{"spec-id":0,"fields":[{"source-id":8,"field-id":1000,"name":"exchange_ts_day","transform":"day"}]}]""");
        json["sort-orders"]!.ToJsonString().ShouldBe("""[{"order-id":0,"fields":[]}]""");
        json["schemas"]![0]!["fields"]![4]!.ToJsonString().ShouldBe("""{"id":5,"name":"price","required":true,"type":"decimal(18,8)"}""");
        json["schemas"]![0]!["fields"]![7]!.ToJsonString().ShouldBe("""{"id":8,"name":"exchange_ts","required":true,"type":"timestamptz"}""");
        json["properties"]![NameMapping.PropertyName]!.GetValue<string>().ShouldStartWith("""[{"field-id":1,"names":["exchange"]},{"field-id":2,"names":["symbol"]}""");
    }

    [Fact]
    public void A_list_column_is_written_with_its_element_id_and_optional_columns_as_not_required()
    {
        var schema = JsonNode.Parse(TableMetadataJson.WriteSchema(ColdTables.BronzeTrades(K2.Core.Exchange.Kraken).Schema))!;

        schema["fields"]![14]!.ToJsonString().ShouldBe(
            """{"id":15,"name":"validation_errors","required":true,"type":{"type":"list","element-id":17,"element":"string","element-required":true}}""");
        schema["fields"]![8]!.ToJsonString().ShouldBe("""{"id":9,"name":"price","required":false,"type":"decimal(18,8)"}""");
    }

    [Fact]
    public void Types_read_as_the_spec_writes_them_including_spaces_in_decimal()
    {
        var json = SpecExample.Replace("""{"id": 3,"name": "z","required": true,"type": "long"}""",
            """{"id": 3,"name": "z","required": false,"type": {"type": "list","element-id": 4,"element-required": false,"element": "decimal(9, 2)"}}""", StringComparison.Ordinal)
            .Replace("\"last-column-id\": 3", "\"last-column-id\": 4", StringComparison.Ordinal);

        var z = Read(json).CurrentSchema.Field("z");

        z.Required.ShouldBeFalse();
        z.Type.ShouldBe(new ListType(4, false, new DecimalType(9, 2)));
    }

    [Theory]
    [InlineData("{\"format-version\": 2", "not valid JSON")]
    [InlineData("[]", "expected Object")]
    [InlineData("""{"format-version": 1}""", "format-version 1")]
    public void Malformed_files_are_refused_with_what_is_wrong(string json, string expected)
    {
        Should.Throw<IcebergMetadataException>(() => Read(json)).Message.ShouldContain(expected);
    }

    [Theory]
    [InlineData("\"location\": \"s3://bucket/test/location\",", "", "has no 'location'")]
    [InlineData("\"last-sequence-number\": 34", "\"last-sequence-number\": \"34\"", "'last-sequence-number' is not a 64-bit integer")]
    [InlineData("\"table-uuid\": \"9c12d441-03fe-4693-9a96-a0705ddf69c1\"", "\"table-uuid\": \"nope\"", "'table-uuid' is not a UUID")]
    [InlineData("\"current-schema-id\": 1", "\"current-schema-id\": 7", "'current-schema-id' 7 names no schema")]
    [InlineData("\"current-snapshot-id\": 3055729675574597004", "\"current-snapshot-id\": 5", "'current-snapshot-id' 5 names no snapshot")]
    [InlineData("\"type\": \"long\",\"doc\"", "\"type\": \"int128\",\"doc\"", "unknown type 'int128'")]
    [InlineData("\"type\": \"long\",\"doc\"", "\"type\": {\"type\": \"map\"},\"doc\"", "a 'map' type")]
    [InlineData("\"summary\": {\"operation\": \"append\"},\"manifest-list\": \"s3://a/b/1.avro\"", "\"summary\": {},\"manifest-list\": \"s3://a/b/1.avro\"", "summary has no 'operation'")]
    [InlineData("\"properties\": {}", "\"properties\": {\"a\": 1}", "property 'a' is not a string")]
    [InlineData("\"properties\": {}", "\"properties\": {}, \"refs\": {\"main\": {\"snapshot-id\": 3051729675574597004, \"type\": \"branch\"}}", "ref 'main' points at snapshot 3051729675574597004")]
    public void A_missing_or_mistyped_field_is_named_in_the_error(string original, string replacement, string expected)
    {
        SpecExample.ShouldContain(original);

        Should.Throw<IcebergMetadataException>(() => Read(SpecExample.Replace(original, replacement, StringComparison.Ordinal)))
            .Message.ShouldContain(expected);
    }

    [Fact]
    public void No_current_snapshot_reads_as_none_whether_minus_one_null_or_absent()
    {
        var withoutSnapshots = SpecExample[..SpecExample.IndexOf("\"current-snapshot-id\"", StringComparison.Ordinal)] + "\"metadata-log\": []}";

        Read(withoutSnapshots).CurrentSnapshotId.ShouldBeNull();
        Read(withoutSnapshots.Replace("\"metadata-log\"", "\"current-snapshot-id\": -1, \"metadata-log\"", StringComparison.Ordinal)).CurrentSnapshotId.ShouldBeNull();
        Read(withoutSnapshots.Replace("\"metadata-log\"", "\"current-snapshot-id\": null, \"metadata-log\"", StringComparison.Ordinal)).CurrentSnapshotId.ShouldBeNull();
    }
}
