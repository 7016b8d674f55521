using K2.Storage.Iceberg.Avro;

namespace K2.Storage.Tests.Iceberg.Avro;

public sealed class AvroSchemaTests
{
    [Fact]
    public void Records_keep_field_ids_element_ids_and_logical_types()
    {
        var schema = (AvroRecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"r","fields":[
              {"name":"day","type":["null",{"type":"int","logicalType":"date"}],"default":null,"field-id":1000},
              {"name":"offsets","type":{"type":"array","items":"long","element-id":133},"field-id":132}]}
            """);

        schema.Fields[0].FieldId.ShouldBe(1000);
        var day = ((AvroUnionSchema)schema.Fields[0].Schema).Branches[1].ShouldBeOfType<AvroPrimitiveSchema>();
        day.Type.ShouldBe(AvroType.Int);
        day.LogicalType.ShouldBe("date");
        schema.Fields[1].Schema.ShouldBeOfType<AvroArraySchema>().ElementId.ShouldBe(133);
        schema.IndexOfFieldId(132).ShouldBe(1);
    }

    [Fact]
    public void Named_types_resolve_by_short_or_full_name_within_namespaces()
    {
        var schema = (AvroRecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"Outer","namespace":"a.b","fields":[
              {"name":"x","type":{"type":"fixed","name":"Id","size":4}},
              {"name":"y","type":"Id"},
              {"name":"z","type":"a.b.Id"},
              {"name":"self","type":["null","Outer"]}]}
            """);

        schema.FullName.ShouldBe("a.b.Outer");
        schema.Fields[1].Schema.ShouldBeSameAs(schema.Fields[0].Schema);
        schema.Fields[2].Schema.ShouldBeSameAs(schema.Fields[0].Schema);
        ((AvroUnionSchema)schema.Fields[3].Schema).Branches[1].ShouldBeSameAs(schema);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("\"nope\"", "unknown type \"nope\"")]
    [InlineData("""{"type":"record","fields":[]}""", "no name")]
    [InlineData("""{"type":"record","name":"R"}""", "no \"fields\"")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}""", "twice")]
    [InlineData("""{"type":"array"}""", "no \"items\"")]
    [InlineData("""{"type":"fixed","name":"F"}""", "size")]
    [InlineData("""[["null"]]""", "unions")]
    [InlineData("""[]""", "no branches")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A","A"]}""", "repeats")]
    [InlineData("42", "Number")]
    public void Invalid_schemas_are_refused_with_the_reason(string json, string reason)
    {
        Should.Throw<FormatException>(() => AvroSchema.Parse(json)).Message.ShouldContain(reason);
    }
}
