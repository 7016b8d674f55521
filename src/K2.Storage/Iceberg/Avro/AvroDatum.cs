using System.Collections;

namespace K2.Storage.Iceberg.Avro;

/// <summary>
/// Encodes and decodes one value against a schema, using a simple value model: null; <see cref="bool"/>;
/// <see cref="int"/>; <see cref="long"/>; <see cref="float"/>; <see cref="double"/>; <c>byte[]</c> for bytes and
/// fixed; <see cref="string"/> for string and enum symbols; <see cref="AvroRecord"/>; <c>IReadOnlyList&lt;object?&gt;</c>
/// for arrays; <c>IReadOnlyDictionary&lt;string, object?&gt;</c> for maps. A union's value is its branch's value; the
/// writer picks the first branch that accepts it (an int also fits a long branch, a float a double branch).
/// </summary>
public static class AvroDatum
{
    /// <summary>Nesting deeper than this is refused, so a self-referencing schema cannot exhaust the stack.</summary>
    public const int MaxDepth = 64;

    /// <summary>Items of a zero-byte type (null, empty record) one array, map or file block may claim.</summary>
    internal const long MaxZeroWidthItemsPerBlock = 1 << 20;

    public static void Write(AvroBinaryWriter writer, AvroSchema schema, object? value) => Write(writer, schema, value, "$", 0);

    public static object? Read(ref AvroBinaryReader reader, AvroSchema schema) => Read(ref reader, schema, 0);

    private static void Write(AvroBinaryWriter writer, AvroSchema schema, object? value, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"Avro value at {path} nests deeper than {MaxDepth} levels.");
        }

        switch (schema, value)
        {
            case ({ Type: AvroType.Null }, null):
                break;
            case ({ Type: AvroType.Boolean }, bool b):
                writer.WriteBoolean(b);
                break;
            case ({ Type: AvroType.Int }, int i):
                writer.WriteInt(i);
                break;
            case ({ Type: AvroType.Long }, long l):
                writer.WriteLong(l);
                break;
            case ({ Type: AvroType.Long }, int i):
                writer.WriteLong(i);
                break;
            case ({ Type: AvroType.Float }, float f):
                writer.WriteFloat(f);
                break;
            case ({ Type: AvroType.Double }, double d):
                writer.WriteDouble(d);
                break;
            case ({ Type: AvroType.Double }, float f):
                writer.WriteDouble(f);
                break;
            case ({ Type: AvroType.Bytes }, byte[] bytes):
                writer.WriteBytes(bytes);
                break;
            case ({ Type: AvroType.String }, string s):
                writer.WriteString(s);
                break;
            case (AvroFixedSchema fixedSchema, byte[] bytes) when bytes.Length == fixedSchema.Size:
                writer.WriteRaw(bytes);
                break;
            case (AvroEnumSchema enumSchema, string symbol) when IndexOfSymbol(enumSchema, symbol) is var index and >= 0:
                writer.WriteInt(index);
                break;
            case (AvroRecordSchema recordSchema, AvroRecord record) when ReferenceEquals(record.Schema, recordSchema) || record.Schema.FullName == recordSchema.FullName:
                for (var i = 0; i < recordSchema.Fields.Count; i++)
                {
                    var field = recordSchema.Fields[i];
                    Write(writer, field.Schema, record[i], $"{path}.{field.Name}", depth + 1);
                }

                break;
            case (AvroArraySchema arraySchema, IReadOnlyList<object?> items):
                if (items.Count > 0)
                {
                    writer.WriteLong(items.Count);
                    for (var i = 0; i < items.Count; i++)
                    {
                        Write(writer, arraySchema.Items, items[i], $"{path}[{i}]", depth + 1);
                    }
                }

                writer.WriteLong(0);
                break;
            case (AvroMapSchema mapSchema, IReadOnlyDictionary<string, object?> entries):
                if (entries.Count > 0)
                {
                    writer.WriteLong(entries.Count);
                    foreach (var (key, item) in entries)
                    {
                        writer.WriteString(key);
                        Write(writer, mapSchema.Values, item, $"{path}[\"{key}\"]", depth + 1);
                    }
                }

                writer.WriteLong(0);
                break;
            case (AvroUnionSchema union, _):
                var branch = BranchFor(union, value) ?? throw Mismatch(schema, value, path);
                writer.WriteInt(branch);
                Write(writer, union.Branches[branch], value, path, depth + 1);
                break;
            default:
                throw Mismatch(schema, value, path);
        }
    }

    private static object? Read(ref AvroBinaryReader reader, AvroSchema schema, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"Avro data nests deeper than {MaxDepth} levels at byte {reader.Position}.");
        }

        switch (schema)
        {
            case { Type: AvroType.Null }:
                return null;
            case { Type: AvroType.Boolean }:
                return reader.ReadBoolean();
            case { Type: AvroType.Int }:
                return reader.ReadInt();
            case { Type: AvroType.Long }:
                return reader.ReadLong();
            case { Type: AvroType.Float }:
                return reader.ReadFloat();
            case { Type: AvroType.Double }:
                return reader.ReadDouble();
            case { Type: AvroType.Bytes }:
                return reader.ReadBytes().ToArray();
            case { Type: AvroType.String }:
                return reader.ReadString();
            case AvroFixedSchema fixedSchema:
                return reader.ReadFixed(fixedSchema.Size).ToArray();
            case AvroEnumSchema enumSchema:
            {
                var start = reader.Position;
                var index = reader.ReadInt();
                return index >= 0 && index < enumSchema.Symbols.Count
                    ? enumSchema.Symbols[index]
                    : throw new FormatException($"Avro enum {enumSchema.FullName} at byte {start} has index {index}; it has {enumSchema.Symbols.Count} symbols.");
            }

            case AvroRecordSchema recordSchema:
            {
                var record = new AvroRecord(recordSchema);
                for (var i = 0; i < recordSchema.Fields.Count; i++)
                {
                    record[i] = Read(ref reader, recordSchema.Fields[i].Schema, depth + 1);
                }

                return record;
            }

            case AvroArraySchema arraySchema:
            {
                var items = new List<object?>();
                for (var count = ReadBlockCount(ref reader, arraySchema.Items, "array"); count > 0; count = ReadBlockCount(ref reader, arraySchema.Items, "array"))
                {
                    for (var i = 0L; i < count; i++)
                    {
                        items.Add(Read(ref reader, arraySchema.Items, depth + 1));
                    }
                }

                return items;
            }

            case AvroMapSchema mapSchema:
            {
                var entries = new Dictionary<string, object?>(StringComparer.Ordinal);
                for (var count = ReadBlockCount(ref reader, mapSchema.Values, "map"); count > 0; count = ReadBlockCount(ref reader, mapSchema.Values, "map"))
                {
                    for (var i = 0L; i < count; i++)
                    {
                        var key = reader.ReadString();
                        entries[key] = Read(ref reader, mapSchema.Values, depth + 1);
                    }
                }

                return entries;
            }

            case AvroUnionSchema union:
            {
                var start = reader.Position;
                var branch = reader.ReadInt();
                return branch >= 0 && branch < union.Branches.Count
                    ? Read(ref reader, union.Branches[branch], depth + 1)
                    : throw new FormatException($"Avro union at byte {start} selects branch {branch}; it has {union.Branches.Count}.");
            }

            default:
                throw new InvalidOperationException($"Unhandled Avro schema {schema}.");
        }
    }

    /// <summary>
    /// The item count of the next array or map block; 0 ends the value. A negative count is followed by the block's
    /// byte size, which is read and checked. Counts that the remaining bytes cannot hold are refused before any item
    /// is read, so a corrupt count cannot make the reader allocate or loop without bound.
    /// </summary>
    private static long ReadBlockCount(ref AvroBinaryReader reader, AvroSchema items, string kind)
    {
        var start = reader.Position;
        var count = reader.ReadLong();
        if (count == long.MinValue)
        {
            throw new FormatException($"Avro {kind} block at byte {start} has an invalid item count.");
        }

        if (count < 0)
        {
            count = -count;
            var size = reader.ReadLong();
            if (size < 0 || size > reader.Remaining)
            {
                throw new FormatException($"Avro {kind} block at byte {start} claims {size} bytes, but {reader.Remaining} remain.");
            }
        }

        var minItemSize = MinEncodedSize(items) + (kind == "map" ? 1 : 0);
        var limit = minItemSize == 0 ? MaxZeroWidthItemsPerBlock : reader.Remaining / minItemSize;
        if (count > limit)
        {
            throw new FormatException($"Avro {kind} block at byte {start} claims {count} items, more than the remaining {reader.Remaining} bytes can hold.");
        }

        return count;
    }

    /// <summary>The fewest bytes any value of <paramref name="schema"/> takes.</summary>
    internal static long MinEncodedSize(AvroSchema schema) => MinEncodedSize(schema, 0);

    private static long MinEncodedSize(AvroSchema schema, int depth) => schema switch
    {
        _ when depth > MaxDepth => 0,
        { Type: AvroType.Null } => 0,
        { Type: AvroType.Float } => 4,
        { Type: AvroType.Double } => 8,
        AvroFixedSchema f => f.Size,
        AvroRecordSchema r => r.Fields.Sum(f => MinEncodedSize(f.Schema, depth + 1)),
        _ => 1,
    };

    private static int? BranchFor(AvroUnionSchema union, object? value)
    {
        for (var i = 0; i < union.Branches.Count; i++)
        {
            if (Accepts(union.Branches[i], value))
            {
                return i;
            }
        }

        return null;
    }

    private static bool Accepts(AvroSchema schema, object? value) => (schema, value) switch
    {
        ({ Type: AvroType.Null }, null) => true,
        ({ Type: AvroType.Boolean }, bool) => true,
        ({ Type: AvroType.Int }, int) => true,
        ({ Type: AvroType.Long }, long or int) => true,
        ({ Type: AvroType.Float }, float) => true,
        ({ Type: AvroType.Double }, double or float) => true,
        ({ Type: AvroType.Bytes }, byte[]) => true,
        ({ Type: AvroType.String }, string) => true,
        (AvroFixedSchema f, byte[] bytes) => bytes.Length == f.Size,
        (AvroEnumSchema e, string symbol) => IndexOfSymbol(e, symbol) >= 0,
        (AvroRecordSchema r, AvroRecord record) => ReferenceEquals(record.Schema, r) || record.Schema.FullName == r.FullName,
        (AvroArraySchema, IReadOnlyList<object?>) => true,
        (AvroMapSchema, IReadOnlyDictionary<string, object?>) => true,
        _ => false,
    };

    private static int IndexOfSymbol(AvroEnumSchema schema, string symbol)
    {
        for (var i = 0; i < schema.Symbols.Count; i++)
        {
            if (schema.Symbols[i] == symbol)
            {
                return i;
            }
        }

        return -1;
    }

    private static ArgumentException Mismatch(AvroSchema schema, object? value, string path) =>
        new($"Avro value at {path} does not fit schema {schema}: got {(value is null ? "null" : value is IEnumerable and not string ? value.GetType().Name : $"{value.GetType().Name} {value}")}.");
}
