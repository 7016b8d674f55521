using K2.Storage.Iceberg.Avro;

namespace K2.Storage.Tests.Iceberg.Avro;

/// <summary>A record schema using every Avro kind, and deterministic values for it.</summary>
internal static class EverythingSchema
{
    public const string Json = """
        {"type":"record","name":"Everything","namespace":"k2.test","fields":[
          {"name":"n","type":"null"},
          {"name":"b","type":"boolean"},
          {"name":"i","type":"int"},
          {"name":"l","type":"long"},
          {"name":"f","type":"float"},
          {"name":"d","type":"double"},
          {"name":"by","type":"bytes"},
          {"name":"s","type":"string"},
          {"name":"e","type":{"type":"enum","name":"Side","symbols":["BUY","SELL"]}},
          {"name":"a","type":{"type":"array","items":"long"}},
          {"name":"m","type":{"type":"map","values":"string"}},
          {"name":"u","type":["null","string"]},
          {"name":"fx","type":{"type":"fixed","name":"Id","size":4}},
          {"name":"r","type":{"type":"record","name":"Inner","fields":[{"name":"x","type":"int"}]}},
          {"name":"ref","type":["null","Inner"]}]}
        """;

    public static readonly AvroRecordSchema Schema = (AvroRecordSchema)AvroSchema.Parse(Json);

    private static AvroRecordSchema Inner => (AvroRecordSchema)Schema.Fields[13].Schema;

    public static AvroRecord Record(int k) => new(Schema)
    {
        ["n"] = null,
        ["b"] = k % 2 == 0,
        ["i"] = k % 3 == 0 ? int.MinValue + k : k * -7,
        ["l"] = k % 5 == 0 ? long.MaxValue - k : k * 1_000_000_007L,
        ["f"] = k / 4f,
        ["d"] = k / 3.0,
        ["by"] = new[] { (byte)k, (byte)(k >> 8), (byte)0xFF },
        ["s"] = $"ünïcødé-{k}-比特币",
        ["e"] = k % 2 == 0 ? "BUY" : "SELL",
        ["a"] = Enumerable.Range(0, k % 4).Select(x => (object?)(long)(x - k)).ToList(),
        ["m"] = Enumerable.Range(0, k % 3).ToDictionary(x => $"key{x}", x => (object?)$"value{x}-{k}"),
        ["u"] = k % 2 == 0 ? null : $"u{k}",
        ["fx"] = BitConverter.GetBytes(k),
        ["r"] = new AvroRecord(Inner) { ["x"] = k },
        ["ref"] = k % 3 == 0 ? null : new AvroRecord(Inner) { ["x"] = -k },
    };

    /// <summary>Asserts two records are equal field by field, comparing byte arrays, lists and maps by content.</summary>
    public static void ShouldEqual(object? actual, object? expected, string path = "$")
    {
        switch (expected)
        {
            case AvroRecord e:
                var a = actual.ShouldBeOfType<AvroRecord>(path);
                a.Schema.FullName.ShouldBe(e.Schema.FullName, path);
                for (var i = 0; i < e.Values.Count; i++)
                {
                    ShouldEqual(a[i], e[i], $"{path}.{e.Schema.Fields[i].Name}");
                }

                break;
            case byte[] e:
                actual.ShouldBeOfType<byte[]>(path).ShouldBe(e, path);
                break;
            case IReadOnlyList<object?> e:
                var list = actual.ShouldBeAssignableTo<IReadOnlyList<object?>>(path)!;
                list.Count.ShouldBe(e.Count, path);
                for (var i = 0; i < e.Count; i++)
                {
                    ShouldEqual(list[i], e[i], $"{path}[{i}]");
                }

                break;
            case IReadOnlyDictionary<string, object?> e:
                var map = actual.ShouldBeAssignableTo<IReadOnlyDictionary<string, object?>>(path)!;
                map.Keys.Order().ShouldBe(e.Keys.Order(), path);
                foreach (var (key, value) in e)
                {
                    ShouldEqual(map[key], value, $"{path}[{key}]");
                }

                break;
            default:
                actual.ShouldBe(expected, path);
                break;
        }
    }
}
