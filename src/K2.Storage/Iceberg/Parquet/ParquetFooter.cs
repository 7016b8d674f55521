using System.Text;
using K2.Storage.Iceberg.Parquet.Thrift;

namespace K2.Storage.Iceberg.Parquet;

/// <summary>
/// What a Parquet footer says about a file, decoded for the cold tier: the schema with field ids (to verify the ids
/// match the Iceberg table schema) and the row groups with per-column sizes, counts and raw statistics (for the
/// manifest's column metrics and split offsets).
/// </summary>
public sealed class ParquetFooter
{
    private ParquetFooter(
        long rowCount, string? createdBy, IReadOnlyList<ParquetSchemaElement> schema, IReadOnlyList<ParquetRowGroup> rowGroups)
    {
        RowCount = rowCount;
        CreatedBy = createdBy;
        Schema = schema;
        RowGroups = rowGroups;
    }

    public long RowCount { get; }

    public string? CreatedBy { get; }

    /// <summary>Every element below the root, depth-first as in the file.</summary>
    public IReadOnlyList<ParquetSchemaElement> Schema { get; }

    public IEnumerable<ParquetSchemaElement> Leaves => Schema.Where(element => element.IsLeaf);

    public IReadOnlyList<ParquetRowGroup> RowGroups { get; }

    /// <exception cref="FormatException">The file is not a readable Parquet file; the message says what is wrong.</exception>
    public static ParquetFooter Read(ReadOnlySpan<byte> file)
    {
        var layout = ParquetFileLayout.Locate(file);
        return Decode(file.Slice((int)layout.FooterOffset, layout.FooterLength));
    }

    /// <summary>Reads only the footer of a file in a readable, seekable stream.</summary>
    /// <exception cref="FormatException">The file is not a readable Parquet file.</exception>
    public static async Task<ParquetFooter> ReadAsync(Stream source, CancellationToken cancellationToken)
    {
        var (_, footer) = await ParquetFileLayout.ReadFooterAsync(source, cancellationToken);
        return Decode(footer);
    }

    private static ParquetFooter Decode(ReadOnlySpan<byte> footer)
    {
        var metadata = ThriftCompactReader.ReadWholeStruct(footer);
        var schema = ParquetSchemaTree.Walk(metadata).Select(entry => SchemaElement(entry.Element, entry.Path)).ToArray();
        var rowGroups = metadata.ListOf<ThriftStruct>(FileMetaDataField.RowGroups, "FileMetaData.row_groups", required: true)
            .Select(RowGroup)
            .ToArray();
        return new ParquetFooter(
            metadata.Required<ThriftI64>(FileMetaDataField.NumRows, "FileMetaData.num_rows").Value,
            Text(metadata.Optional<ThriftBinary>(FileMetaDataField.CreatedBy, "FileMetaData.created_by")),
            schema,
            rowGroups);
    }

    private static ParquetSchemaElement SchemaElement(ThriftStruct element, string[] path)
    {
        var name = $"schema element '{string.Join('.', path)}'";
        return new ParquetSchemaElement(
            path,
            (ParquetRepetition?)element.Optional<ThriftI32>(SchemaElementField.RepetitionType, $"{name} repetition_type")?.Value,
            element.Optional<ThriftI32>(SchemaElementField.FieldId, $"{name} field_id")?.Value,
            element.Optional<ThriftI32>(SchemaElementField.NumChildren, $"{name} num_children")?.Value ?? 0,
            (ParquetPhysicalType?)element.Optional<ThriftI32>(SchemaElementField.Type, $"{name} type")?.Value,
            element.Optional<ThriftI32>(SchemaElementField.TypeLength, $"{name} type_length")?.Value,
            (ParquetConvertedType?)element.Optional<ThriftI32>(SchemaElementField.ConvertedType, $"{name} converted_type")?.Value,
            element.Optional<ThriftI32>(SchemaElementField.Scale, $"{name} scale")?.Value,
            element.Optional<ThriftI32>(SchemaElementField.Precision, $"{name} precision")?.Value,
            LogicalType(element.Optional<ThriftStruct>(SchemaElementField.LogicalType, $"{name} logicalType"), name));
    }

    /// <summary>LogicalType is a union: exactly one field, whose id names the member.</summary>
    private static ParquetLogicalType? LogicalType(ThriftStruct? union, string name)
    {
        if (union is null)
        {
            return null;
        }

        if (union.Fields.Count != 1)
        {
            throw new FormatException($"{name} logicalType is a union but has {union.Fields.Count} members set.");
        }

        var (id, value) = union.Fields[0];
        var kind = (ParquetLogicalTypeKind)id;
        var member = value as ThriftStruct ?? throw new FormatException($"{name} logicalType member {id} is {value.Type}, expected Struct.");
        var where = $"{name} logicalType.{kind}";
        return kind switch
        {
            ParquetLogicalTypeKind.Decimal => new ParquetLogicalType(kind)
            {
                Scale = member.Required<ThriftI32>(LogicalTypeMemberField.DecimalScale, $"{where}.scale").Value,
                Precision = member.Required<ThriftI32>(LogicalTypeMemberField.DecimalPrecision, $"{where}.precision").Value,
            },
            ParquetLogicalTypeKind.Time or ParquetLogicalTypeKind.Timestamp => new ParquetLogicalType(kind)
            {
                IsAdjustedToUtc = member.Required<ThriftBool>(LogicalTypeMemberField.TimeIsAdjustedToUtc, $"{where}.isAdjustedToUTC").Value,
                Unit = TimeUnit(member.Required<ThriftStruct>(LogicalTypeMemberField.TimeUnit, $"{where}.unit"), where),
            },
            ParquetLogicalTypeKind.Integer => new ParquetLogicalType(kind)
            {
                BitWidth = member.Required<ThriftByte>(LogicalTypeMemberField.IntBitWidth, $"{where}.bitWidth").Value,
                IsSigned = member.Required<ThriftBool>(LogicalTypeMemberField.IntIsSigned, $"{where}.isSigned").Value,
            },
            _ => new ParquetLogicalType(kind),
        };
    }

    private static ParquetTimeUnit TimeUnit(ThriftStruct union, string where) =>
        union.Fields.Count == 1
            ? (ParquetTimeUnit)union.Fields[0].Id
            : throw new FormatException($"{where}.unit is a union but has {union.Fields.Count} members set.");

    private static ParquetRowGroup RowGroup(ThriftStruct rowGroup, int index)
    {
        var name = $"row_groups[{index}]";
        var columns = rowGroup.ListOf<ThriftStruct>(RowGroupField.Columns, $"{name}.columns", required: true)
            .Select((chunk, column) => ColumnChunk(chunk, $"{name}.columns[{column}]"))
            .ToArray();
        return new ParquetRowGroup(
            rowGroup.Required<ThriftI64>(RowGroupField.NumRows, $"{name}.num_rows").Value,
            rowGroup.Required<ThriftI64>(RowGroupField.TotalByteSize, $"{name}.total_byte_size").Value,
            rowGroup.Optional<ThriftI64>(RowGroupField.TotalCompressedSize, $"{name}.total_compressed_size")?.Value,
            rowGroup.Optional<ThriftI64>(RowGroupField.FileOffset, $"{name}.file_offset")?.Value,
            columns);
    }

    private static ParquetColumnChunk ColumnChunk(ThriftStruct chunk, string name)
    {
        var metadata = chunk.Optional<ThriftStruct>(ColumnChunkField.MetaData, $"{name}.meta_data")
            ?? throw new FormatException($"{name} has no meta_data (encrypted column metadata is not supported).");
        var path = metadata.ListOf<ThriftBinary>(ColumnMetaDataField.PathInSchema, $"{name}.path_in_schema", required: true)
            .Select(part => Encoding.UTF8.GetString(part.Value))
            .ToArray();
        var statistics = metadata.Optional<ThriftStruct>(ColumnMetaDataField.Statistics, $"{name}.statistics");
        return new ParquetColumnChunk(
            path,
            (ParquetPhysicalType)metadata.Required<ThriftI32>(ColumnMetaDataField.Type, $"{name}.type").Value,
            (ParquetCompressionCodec)metadata.Required<ThriftI32>(ColumnMetaDataField.Codec, $"{name}.codec").Value,
            metadata.Required<ThriftI64>(ColumnMetaDataField.NumValues, $"{name}.num_values").Value,
            metadata.Required<ThriftI64>(ColumnMetaDataField.TotalCompressedSize, $"{name}.total_compressed_size").Value,
            metadata.Required<ThriftI64>(ColumnMetaDataField.TotalUncompressedSize, $"{name}.total_uncompressed_size").Value,
            metadata.Required<ThriftI64>(ColumnMetaDataField.DataPageOffset, $"{name}.data_page_offset").Value,
            metadata.Optional<ThriftI64>(ColumnMetaDataField.DictionaryPageOffset, $"{name}.dictionary_page_offset")?.Value,
            statistics is null ? null : Statistics(statistics, $"{name}.statistics"));
    }

    private static ParquetStatistics Statistics(ThriftStruct statistics, string name) =>
        new(
            statistics.Optional<ThriftBinary>(StatisticsField.MinValue, $"{name}.min_value")?.Value,
            statistics.Optional<ThriftBinary>(StatisticsField.MaxValue, $"{name}.max_value")?.Value,
            statistics.Optional<ThriftI64>(StatisticsField.NullCount, $"{name}.null_count")?.Value,
            statistics.Optional<ThriftI64>(StatisticsField.DistinctCount, $"{name}.distinct_count")?.Value,
            statistics.Optional<ThriftBool>(StatisticsField.IsMinValueExact, $"{name}.is_min_value_exact")?.Value,
            statistics.Optional<ThriftBool>(StatisticsField.IsMaxValueExact, $"{name}.is_max_value_exact")?.Value,
            statistics.Optional<ThriftBinary>(StatisticsField.Min, $"{name}.min")?.Value,
            statistics.Optional<ThriftBinary>(StatisticsField.Max, $"{name}.max")?.Value);

    private static string? Text(ThriftBinary? value) => value is null ? null : Encoding.UTF8.GetString(value.Value);
}
