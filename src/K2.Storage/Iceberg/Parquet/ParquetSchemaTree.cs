using System.Text;
using K2.Storage.Iceberg.Parquet.Thrift;

namespace K2.Storage.Iceberg.Parquet;

/// <summary>
/// Gives each element of a footer's flattened schema (root first, depth-first, groups announcing
/// <c>num_children</c>) its path of names, checking that the counts describe exactly one tree.
/// </summary>
internal static class ParquetSchemaTree
{
    /// <summary>Every element below the root with its path, in footer order.</summary>
    public static List<(ThriftStruct Element, string[] Path)> Walk(ThriftStruct fileMetaData)
    {
        var elements = fileMetaData.ListOf<ThriftStruct>(FileMetaDataField.Schema, "FileMetaData.schema", required: true).ToList();
        if (elements.Count == 0)
        {
            throw new FormatException("Parquet schema is empty; it must at least have a root element.");
        }

        var result = new List<(ThriftStruct, string[])>(elements.Count - 1);
        var open = new Stack<(string[] Path, int Remaining)>();
        open.Push(([], ChildCount(elements[0], 0)));
        var next = 1;
        while (open.Count > 0)
        {
            var (parent, remaining) = open.Pop();
            if (remaining == 0)
            {
                continue;
            }

            open.Push((parent, remaining - 1));
            if (next == elements.Count)
            {
                throw new FormatException($"Parquet schema group '{string.Join('.', parent)}' declares more children than the schema has elements ({elements.Count}).");
            }

            var element = elements[next];
            string[] path = [.. parent, Name(element, next)];
            result.Add((element, path));
            var children = ChildCount(element, next);
            next++;
            if (children > 0)
            {
                open.Push((path, children));
            }
        }

        if (next != elements.Count)
        {
            throw new FormatException($"Parquet schema has {elements.Count} elements but its groups account for only {next}.");
        }

        return result;
    }

    private static int ChildCount(ThriftStruct element, int index)
    {
        var count = element.Optional<ThriftI32>(SchemaElementField.NumChildren, $"schema[{index}].num_children")?.Value ?? 0;
        return count >= 0 ? count : throw new FormatException($"Parquet schema[{index}].num_children is negative ({count}).");
    }

    private static string Name(ThriftStruct element, int index)
    {
        var bytes = element.Required<ThriftBinary>(SchemaElementField.Name, $"schema[{index}].name").Value;
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException($"Parquet schema[{index}].name is not valid UTF-8.", e);
        }
    }
}
