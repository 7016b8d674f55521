using System.Text;
using System.Text.Json;

namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// The <c>schema.name-mapping.default</c> table property: field ids by column name, for readers of data files that
/// carry no field ids (PyIceberg refuses such files without it; Spark would otherwise fall back to column position).
/// Lists map their element as a child named <c>element</c>, as the spec asks.
/// </summary>
public static class NameMapping
{
    public const string PropertyName = "schema.name-mapping.default";

    /// <summary>The mapping JSON for <paramref name="schema"/>, one entry per column with its current name.</summary>
    public static string ToJson(IcebergSchema schema)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var field in schema.Fields)
            {
                WriteMapping(json, field.Id, field.Name, field.Type);
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteMapping(Utf8JsonWriter json, int fieldId, string name, IcebergType type)
    {
        json.WriteStartObject();
        json.WriteNumber("field-id", fieldId);
        json.WriteStartArray("names");
        json.WriteStringValue(name);
        json.WriteEndArray();
        if (type is ListType list)
        {
            json.WriteStartArray("fields");
            WriteMapping(json, list.ElementId, "element", list.Element);
            json.WriteEndArray();
        }

        json.WriteEndObject();
    }
}
