using System.Text.Json;
using K2.Storage.Iceberg.Avro;
using K2.Testing;

namespace K2.Storage.Tests.Iceberg.Avro;

/// <summary>K2's container files against Apache Avro for Python, in both directions.</summary>
public sealed class PythonAvroInteropTests
{
    [Theory]
    [InlineData(AvroCodec.Null)]
    [InlineData(AvroCodec.Deflate)]
    public void Avro_for_Python_reads_every_value_K2_wrote(AvroCodec codec)
    {
        using var directory = new TempDirectory("k2-avro");
        var path = Path.Combine(directory.Path, "everything.avro");
        using (var stream = File.Create(path))
        {
            AvroContainerWriter.Write(stream, EverythingSchema.Json, new Dictionary<string, string> { ["k2.note"] = "héllo" },
                Enumerable.Range(0, 30).Select(k => (object?)EverythingSchema.Record(k)), codec, blockSize: 500);
        }

        var read = PythonAvro.Read(path);

        read.GetProperty("codec").GetString().ShouldBe(codec == AvroCodec.Null ? "null" : "deflate");
        read.GetProperty("meta").GetProperty("k2.note").GetString().ShouldBe("héllo");
        var records = read.GetProperty("records");
        records.GetArrayLength().ShouldBe(30);
        for (var k = 0; k < 30; k++)
        {
            ShouldMatch(records[k], EverythingSchema.Record(k));
        }
    }

    [Theory]
    [InlineData("null", AvroCodec.Null)]
    [InlineData("deflate", AvroCodec.Deflate)]
    public void K2_reads_every_value_Avro_for_Python_wrote(string codecName, AvroCodec codec)
    {
        using var directory = new TempDirectory("k2-avro");
        var path = Path.Combine(directory.Path, "python.avro");
        var expected = Enumerable.Range(0, 30).Select(EverythingSchema.Record).ToList();
        PythonAvro.Write(path, codecName, EverythingSchema.Json, JsonSerializer.Serialize(expected.Select(ToJsonValue)));

        var read = AvroContainerReader.Read(File.ReadAllBytes(path));

        read.Codec.ShouldBe(codec);
        read.Records.Count.ShouldBe(30);
        for (var k = 0; k < 30; k++)
        {
            EverythingSchema.ShouldEqual(read.Records[k], expected[k]);
        }
    }

    /// <summary>A value in avro_dump.py's JSON form: bytes as hex, records and maps as objects.</summary>
    private static object? ToJsonValue(object? value) => value switch
    {
        byte[] bytes => Convert.ToHexStringLower(bytes),
        AvroRecord record => record.Schema.Fields.Select((f, i) => (f.Name, Value: ToJsonValue(record[i]))).ToDictionary(p => p.Name, p => p.Value),
        IReadOnlyList<object?> list => list.Select(ToJsonValue).ToList(),
        IReadOnlyDictionary<string, object?> map => map.ToDictionary(e => e.Key, e => ToJsonValue(e.Value)),
        _ => value,
    };

    private static void ShouldMatch(JsonElement actual, object? expected, string path = "$")
    {
        switch (expected)
        {
            case null:
                actual.ValueKind.ShouldBe(JsonValueKind.Null, path);
                break;
            case bool b:
                actual.GetBoolean().ShouldBe(b, path);
                break;
            case int i:
                actual.GetInt32().ShouldBe(i, path);
                break;
            case long l:
                actual.GetInt64().ShouldBe(l, path);
                break;
            case float f:
                actual.GetSingle().ShouldBe(f, path);
                break;
            case double d:
                actual.GetDouble().ShouldBe(d, path);
                break;
            case string s:
                actual.GetString().ShouldBe(s, path);
                break;
            case byte[] bytes:
                actual.GetProperty("hex").GetString().ShouldBe(Convert.ToHexStringLower(bytes), path);
                break;
            case AvroRecord record:
                for (var i = 0; i < record.Values.Count; i++)
                {
                    var name = record.Schema.Fields[i].Name;
                    ShouldMatch(actual.GetProperty(name), record[i], $"{path}.{name}");
                }

                break;
            case IReadOnlyList<object?> list:
                actual.GetArrayLength().ShouldBe(list.Count, path);
                for (var i = 0; i < list.Count; i++)
                {
                    ShouldMatch(actual[i], list[i], $"{path}[{i}]");
                }

                break;
            case IReadOnlyDictionary<string, object?> map:
                actual.EnumerateObject().Select(p => p.Name).Order().ShouldBe(map.Keys.Order(), path);
                foreach (var (key, value) in map)
                {
                    ShouldMatch(actual.GetProperty(key), value, $"{path}[{key}]");
                }

                break;
            default:
                throw new InvalidOperationException($"Unexpected expected value {expected.GetType().Name} at {path}.");
        }
    }
}
