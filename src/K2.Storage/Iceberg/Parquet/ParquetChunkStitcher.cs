using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.Embedded;
using K2.Storage.Iceberg.Parquet.Thrift;

namespace K2.Storage.Iceberg.Parquet;

/// <summary>
/// Joins a stream of whole Parquet files into one, file by file as they arrive: chDB streams <c>FORMAT Parquet</c> as
/// one complete file per block, and those concatenated are unreadable. The output is the first file's <c>PAR1</c>, then
/// every file's row groups (the bytes between its leading magic and its footer), then one footer: the first file's
/// FileMetaData with every file's row groups and the summed <c>num_rows</c> (parquet-format README, "File Format").
/// <para>
/// Row-group bytes move, so each absolute offset in their metadata moves with them: <c>RowGroup.file_offset</c>,
/// <c>ColumnChunk.file_offset</c> and <c>ColumnMetaData</c>'s <c>data_page_offset</c>, <c>index_page_offset</c> and
/// <c>dictionary_page_offset</c>; <c>RowGroup.ordinal</c> is renumbered. Page indexes, bloom filters and encryption are
/// refused: their offsets point into structures outside the footer (an offset index holds absolute page offsets itself),
/// so the embedded engine's streaming connections turn page indexes and bloom filters off. Every file must carry the
/// same schema and file metadata, or the stream fails rather than mix them.
/// </para>
/// A file passes through without being copied; what is kept is each row group's encoded metadata (a few hundred bytes
/// per column), because the footer that lists them all can only be written at the end.
/// </summary>
internal sealed class ParquetChunkStitcher(ClickHouseChunkWriter output) : IChunkJoiner
{
    private const int MagicLength = 4;

    private readonly ArrayBufferWriter<byte> _rowGroups = new();
    private ThriftStruct? _fileMetaData;
    private byte[] _sharedMetaData = [];
    private long _written = MagicLength;
    private int _files;

    /// <summary>Row groups stitched so far: one per block chDB streamed, for ClickHouse's files.</summary>
    public int RowGroupCount { get; private set; }

    public long RowCount { get; private set; }

    /// <summary>Takes the next whole Parquet file and writes its row groups (the first file's with its magic).</summary>
    /// <exception cref="FormatException">It is not a Parquet file, or not one that can join the first.</exception>
    public ValueTask AddAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        var (start, end) = Absorb(chunk.Span);
        return output(chunk[start..end], cancellationToken);
    }

    /// <summary>Writes the footer, its length and the closing magic.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        var fileMetaData = _fileMetaData ?? throw new FormatException("The stream carried no Parquet file; even an empty result is one file.");
        fileMetaData.Set(FileMetaDataField.NumRows, new ThriftI64(RowCount));
        fileMetaData.Set(FileMetaDataField.RowGroups, new ThriftEncodedList(ThriftCompactType.Struct, RowGroupCount, _rowGroups.WrittenMemory));
        var tail = new ArrayBufferWriter<byte>(_rowGroups.WrittenCount + 4096);
        new ThriftCompactWriter(tail).WriteStruct(fileMetaData);
        var footerLength = tail.WrittenCount;
        BinaryPrimitives.WriteInt32LittleEndian(tail.GetSpan(sizeof(int)), footerLength);
        tail.Advance(sizeof(int));
        tail.Write(ParquetFileLayout.Magic);
        await output(tail.WrittenMemory, cancellationToken);
    }

    /// <summary>
    /// Reads one file's footer, keeps its row groups' metadata shifted to where their bytes land in the output, and
    /// returns the range of the file to write: up to its footer, from its start for the first file and past its magic
    /// for the others.
    /// </summary>
    private (int Start, int End) Absorb(ReadOnlySpan<byte> file)
    {
        var index = _files++;
        var name = $"streamed Parquet file {index.ToString(CultureInfo.InvariantCulture)}";
        ParquetFileLayout layout;
        try
        {
            layout = ParquetFileLayout.Locate(file);
        }
        catch (FormatException e)
        {
            throw new FormatException($"The {name} is not a whole Parquet file: {e.Message}", e);
        }

        var metadata = ThriftCompactReader.ReadWholeStruct(file.Slice((int)layout.FooterOffset, layout.FooterLength));
        var shared = SharedPart(metadata);
        if (_fileMetaData is null)
        {
            _fileMetaData = metadata;
            _sharedMetaData = shared;
        }
        else if (!shared.AsSpan().SequenceEqual(_sharedMetaData))
        {
            throw new FormatException(
                $"The {name} differs from the first in its {string.Join(", ", DifferingFields(_fileMetaData, metadata))}; its rows cannot join the same file.");
        }

        Refuse(metadata, FileMetaDataField.EncryptionAlgorithm, "encryption", name);
        Refuse(metadata, FileMetaDataField.FooterSigningKeyMetadata, "a signed footer", name);
        var shift = _written - MagicLength;
        var dataEnd = layout.FooterOffset;
        var rowGroups = new ThriftCompactWriter(_rowGroups);
        foreach (var (rowGroup, r) in metadata.ListOf<ThriftStruct>(FileMetaDataField.RowGroups, "FileMetaData.row_groups", required: true).Select((g, r) => (g, r)))
        {
            var where = $"{name} row_groups[{r.ToString(CultureInfo.InvariantCulture)}]";
            Shift(rowGroup, RowGroupField.FileOffset, shift, dataEnd, $"{where}.file_offset");
            if (rowGroup.Find(RowGroupField.Ordinal) is not null)
            {
                rowGroup.Set(RowGroupField.Ordinal, new ThriftI16(RowGroupCount <= short.MaxValue
                    ? (short)RowGroupCount
                    : throw new FormatException($"The stitched file would have more than {short.MaxValue + 1} row groups, the most RowGroup.ordinal can number.")));
            }

            foreach (var (chunk, c) in rowGroup.ListOf<ThriftStruct>(RowGroupField.Columns, $"{where}.columns", required: true).Select((x, c) => (x, c)))
            {
                var column = $"{where}.columns[{c.ToString(CultureInfo.InvariantCulture)}]";
                Refuse(chunk, ColumnChunkField.OffsetIndexOffset, "an offset index (page index)", column);
                Refuse(chunk, ColumnChunkField.ColumnIndexOffset, "a column index (page index)", column);
                Refuse(chunk, ColumnChunkField.CryptoMetadata, "encryption", column);
                Refuse(chunk, ColumnChunkField.EncryptedColumnMetadata, "encryption", column);
                Shift(chunk, ColumnChunkField.FileOffset, shift, dataEnd, $"{column}.file_offset");
                var columnMetaData = chunk.Required<ThriftStruct>(ColumnChunkField.MetaData, $"{column}.meta_data");
                Refuse(columnMetaData, ColumnMetaDataField.BloomFilterOffset, "a bloom filter", column);
                Shift(columnMetaData, ColumnMetaDataField.DataPageOffset, shift, dataEnd, $"{column}.data_page_offset");
                Shift(columnMetaData, ColumnMetaDataField.IndexPageOffset, shift, dataEnd, $"{column}.index_page_offset");
                Shift(columnMetaData, ColumnMetaDataField.DictionaryPageOffset, shift, dataEnd, $"{column}.dictionary_page_offset");
            }

            rowGroups.WriteStruct(rowGroup);
            RowGroupCount++;
        }

        RowCount += metadata.Required<ThriftI64>(FileMetaDataField.NumRows, "FileMetaData.num_rows").Value;
        _written += dataEnd - MagicLength;
        return (index == 0 ? 0 : MagicLength, (int)dataEnd);
    }

    /// <summary>
    /// Moves an offset into the file's data by <paramref name="shift"/>. Absent or 0 means not set (no page lies at 0,
    /// where the magic is); anything else must point into the data, between the magic and the footer.
    /// </summary>
    private static void Shift(ThriftStruct owner, short id, long shift, long dataEnd, string name)
    {
        if (owner.Optional<ThriftI64>(id, name) is not { Value: not 0 and var offset })
        {
            return;
        }

        if (offset < MagicLength || offset >= dataEnd)
        {
            throw new FormatException($"{name} is {offset}, outside the file's data (bytes {MagicLength} to {dataEnd}).");
        }

        owner.Set(id, new ThriftI64(offset + shift));
    }

    private static void Refuse(ThriftStruct owner, short id, string what, string name)
    {
        if (owner.Find(id) is not null)
        {
            throw new FormatException(
                $"The {name} has {what}, whose offsets lie outside the footer and cannot be moved; write it without " +
                "(output_format_parquet_write_page_index = 0, output_format_parquet_write_bloom_filter = 0).");
        }
    }

    /// <summary>Every FileMetaData field but the row count and row groups, encoded: what all files must share.</summary>
    private static byte[] SharedPart(ThriftStruct metadata) =>
        ThriftCompactWriter.Encode(new ThriftStruct([.. metadata.Fields.Where(f => f.Id is not (FileMetaDataField.NumRows or FileMetaDataField.RowGroups))]));

    private static IEnumerable<string> DifferingFields(ThriftStruct first, ThriftStruct other) =>
        first.Fields.Select(f => f.Id).Union(other.Fields.Select(f => f.Id))
            .Where(id => id is not (FileMetaDataField.NumRows or FileMetaDataField.RowGroups))
            .Where(id => !Encoded(first.Find(id)).AsSpan().SequenceEqual(Encoded(other.Find(id))))
            .Select(id => id switch
            {
                FileMetaDataField.Version => "version",
                FileMetaDataField.Schema => "schema",
                FileMetaDataField.KeyValueMetadata => "key_value_metadata",
                FileMetaDataField.CreatedBy => "created_by",
                FileMetaDataField.ColumnOrders => "column_orders",
                _ => $"field {id.ToString(CultureInfo.InvariantCulture)}",
            });

    private static byte[] Encoded(ThriftValue? value) => value is null ? [] : ThriftCompactWriter.Encode(new ThriftStruct([new ThriftField(1, value)]));
}
