using System.Buffers.Binary;
using K2.Storage.Iceberg.Parquet.Thrift;

namespace K2.Storage.Iceberg.Parquet;

/// <summary>
/// Sets the Iceberg field id (<c>SchemaElement.field_id</c>, Thrift field 9) on every schema element of a Parquet
/// file, which ClickHouse does not write and Iceberg readers match columns by. Only the footer is re-encoded: data
/// pages, indexes and bloom filters lie before it, so every offset stays valid; the file's length changes.
/// Every other footer field is kept as read (see <see cref="ThriftStruct"/>).
/// </summary>
public static class ParquetFieldIds
{
    /// <summary>
    /// Returns the file with each element's field id set to <paramref name="fieldIdOf"/>(its path), or removed where
    /// that gives null (e.g. the <c>list</c> level of a list, which Iceberg gives no id). The root gets no id.
    /// </summary>
    /// <exception cref="FormatException">The file is not a readable Parquet file; the message says what is wrong.</exception>
    public static byte[] Assign(ReadOnlySpan<byte> file, Func<IReadOnlyList<string>, int?> fieldIdOf)
    {
        ArgumentNullException.ThrowIfNull(fieldIdOf);
        var layout = ParquetFileLayout.Locate(file);
        var dataLength = (int)layout.FooterOffset;
        var footer = Rewrite(file.Slice(dataLength, layout.FooterLength), fieldIdOf);
        var result = new byte[dataLength + footer.Length + ParquetFileLayout.TailLength];
        file[..dataLength].CopyTo(result);
        footer.CopyTo(result.AsSpan(dataLength));
        WriteTail(result.AsSpan(dataLength + footer.Length), footer.Length);
        return result;
    }

    /// <summary>
    /// Streams the file from <paramref name="source"/> (readable and seekable; read from its start) to
    /// <paramref name="destination"/> with field ids assigned as <see cref="Assign"/> does, and returns the new length.
    /// </summary>
    /// <exception cref="FormatException">The file is not a readable Parquet file; nothing has been written then.</exception>
    public static async Task<long> AssignAsync(
        Stream source, Stream destination, Func<IReadOnlyList<string>, int?> fieldIdOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(fieldIdOf);
        var (layout, original) = await ParquetFileLayout.ReadFooterAsync(source, cancellationToken);
        var footer = Rewrite(original, fieldIdOf);
        source.Position = 0;
        var buffer = new byte[81920];
        for (var left = layout.FooterOffset; left > 0;)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException($"Parquet source ended {left} bytes before its footer.");
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            left -= read;
        }

        var tail = new byte[footer.Length + ParquetFileLayout.TailLength];
        footer.CopyTo(tail, 0);
        WriteTail(tail.AsSpan(footer.Length), footer.Length);
        await destination.WriteAsync(tail, cancellationToken);
        return layout.FooterOffset + tail.Length;
    }

    private static byte[] Rewrite(ReadOnlySpan<byte> footer, Func<IReadOnlyList<string>, int?> fieldIdOf)
    {
        var metadata = ThriftCompactReader.ReadWholeStruct(footer);
        foreach (var (element, path) in ParquetSchemaTree.Walk(metadata))
        {
            if (fieldIdOf(path) is { } id)
            {
                element.Set(SchemaElementField.FieldId, new ThriftI32(id));
            }
            else
            {
                element.Remove(SchemaElementField.FieldId);
            }
        }

        return ThriftCompactWriter.Encode(metadata);
    }

    private static void WriteTail(Span<byte> tail, int footerLength)
    {
        BinaryPrimitives.WriteInt32LittleEndian(tail, footerLength);
        ParquetFileLayout.Magic.CopyTo(tail[4..]);
    }
}
