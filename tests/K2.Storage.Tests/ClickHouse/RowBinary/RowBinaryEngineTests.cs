using K2.Core;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Tests.Support;
using K2.Testing;
using static K2.Storage.Tests.ClickHouse.RowBinary.RowBinaryCodec;

namespace K2.Storage.Tests.ClickHouse.RowBinary;

/// <summary>
/// The counterpart checks: RowBinary written by K2 is read correctly by the real engine (chDB), and RowBinary the
/// engine writes is read correctly by K2 and is byte-identical to what K2 writes for the same values.
/// </summary>
public sealed class RowBinaryEngineTests(EmbeddedClickHouseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every column type K2 writes: those of silver_trades and schema_migrations, and the other writer methods.</summary>
    private const string Columns = """
        id      UInt32,
        lc      LowCardinality(String),
        s       String,
        d       Decimal(18, 8),
        side    Enum8('buy' = 1, 'sell' = 2),
        ts      DateTime64(6, 'UTC'),
        i64     Int64,
        u64     UInt64,
        u8      UInt8
        """;

    private sealed record Row(uint Id, string Lc, string S, decimal D, sbyte Side, long Ts, long I64, ulong U64, byte U8);

    private static void Write(RowBinaryWriter w, Row row)
    {
        // UInt32 has no writer method (K2 only reads it); its four little-endian bytes are written by hand.
        w.WriteUInt8((byte)row.Id);
        w.WriteUInt8((byte)(row.Id >> 8));
        w.WriteUInt8((byte)(row.Id >> 16));
        w.WriteUInt8((byte)(row.Id >> 24));
        w.WriteString(row.Lc);
        w.WriteString(row.S);
        w.WriteDecimal64(row.D, 8);
        w.WriteEnum8(row.Side);
        w.WriteDateTime64Micros(new UnixMicros(row.Ts));
        w.WriteInt64(row.I64);
        w.WriteUInt64(row.U64);
        w.WriteUInt8(row.U8);
    }

    private static readonly Row[] Rows =
    [
        new(1, "binance", "", 0.00000001m, 1, 0, long.MinValue, 0, 0),
        new(2, "kraken", "ünïcødé 比特币 €", -9_999_999_999.99999999m, 2, 1_795_342_500_123_456, long.MaxValue, ulong.MaxValue, 255),
        new(3, "coinbase", "BTC/USD", 9_999_999_999.99999999m, 1, -1, -1, 1UL << 63, 128),
        new(4, "binance", "87012.34", 87_012.34m, 2, 253_402_300_799_999_999, 0, 42, 1),
    ];

    [Fact]
    public async Task The_engine_reads_RowBinary_written_by_K2()
    {
        var db = (await fixture.CreateDatabaseAsync(Ct)).Database;
        await fixture.ClickHouse.ExecuteAsync($"CREATE TABLE {db}.every_type ({Columns}) ENGINE = MergeTree ORDER BY id", null, Ct);
        var data = Encode(w => Array.ForEach(Rows, row => Write(w, row)));

        var written = await fixture.ClickHouse.InsertAsync(
            $"INSERT INTO {db}.every_type (id, lc, s, d, side, ts, i64, u64, u8)", ClickHouseFormats.RowBinary, data, Ct);

        written.ShouldBe(Rows.Length);
        var text = await fixture.ClickHouse.QueryTextAsync(
            $"SELECT id, lc, s, toString(d), side, toString(ts), i64, u64, u8 FROM {db}.every_type ORDER BY id", Ct);
        text.Split('\n').ShouldBe(
        [
            "1\tbinance\t\t0.00000001\tbuy\t1970-01-01 00:00:00.000000\t-9223372036854775808\t0\t0",
            "2\tkraken\tünïcødé 比特币 €\t-9999999999.99999999\tsell\t2026-11-22 10:15:00.123456\t9223372036854775807\t18446744073709551615\t255",
            "3\tcoinbase\tBTC/USD\t9999999999.99999999\tbuy\t1969-12-31 23:59:59.999999\t-1\t9223372036854775808\t128",
            "4\tbinance\t87012.34\t87012.34\tsell\t9999-12-31 23:59:59.999999\t0\t42\t1",
        ]);
    }

    [Theory]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16_383)]
    [InlineData(16_384)]
    public async Task The_engine_reads_strings_at_length_prefix_boundaries(int length)
    {
        var db = (await fixture.CreateDatabaseAsync(Ct)).Database;
        await fixture.ClickHouse.ExecuteAsync($"CREATE TABLE {db}.strings (s String, after UInt8) ENGINE = MergeTree ORDER BY tuple()", null, Ct);
        var value = string.Concat(Enumerable.Repeat("é", length / 2)) + (length % 2 == 1 ? "x" : "");

        await fixture.ClickHouse.InsertAsync($"INSERT INTO {db}.strings (s, after)", ClickHouseFormats.RowBinary,
            Encode(w =>
            {
                w.WriteString(value);
                w.WriteUInt8(7);
            }), Ct);

        var text = await fixture.ClickHouse.QueryTextAsync(
            $"SELECT length(s), s = {{expected:String}}, after FROM {db}.strings", Ct, new ClickHouseParameters().Add("expected", value));
        text.ShouldBe($"{length}\t1\t7");
    }

    [Fact]
    public async Task K2_reads_RowBinary_written_by_the_engine()
    {
        var result = await fixture.ClickHouse.QueryAsync(
            """
            SELECT
                toLowCardinality('binance'),
                'ünïcødé 比特币',
                toDecimal64('-9999999999.99999999', 8),
                toDecimal64('0.00000001', 8),
                CAST('sell' AS Enum8('buy' = 1, 'sell' = 2)),
                toDateTime64('2026-11-22 10:15:00.123456', 6, 'UTC'),
                toInt64(-9223372036854775808),
                toUInt64(18446744073709551615),
                toUInt32(4294967295),
                toUInt8(200)
            """,
            null, ClickHouseFormats.RowBinary,
            static data =>
            {
                var reader = new RowBinaryReader(data);
                var row = (
                    reader.ReadString(), reader.ReadString(), reader.ReadDecimal64(8), reader.ReadDecimal64(8), reader.ReadEnum8(),
                    reader.ReadDateTime64Micros(), reader.ReadInt64(), reader.ReadUInt64(), reader.ReadUInt32(), reader.ReadUInt8());
                return (row, reader.End);
            },
            Ct);

        result.End.ShouldBeTrue();
        result.row.ShouldBe((
            "binance", "ünïcødé 比特币", -9_999_999_999.99999999m, 0.00000001m, (sbyte)2,
            new UnixMicros(1_795_342_500_123_456), long.MinValue, ulong.MaxValue, uint.MaxValue, (byte)200));
    }

    [Fact]
    public async Task The_engine_and_K2_encode_the_same_values_to_identical_bytes()
    {
        var engine = await fixture.ClickHouse.QueryAsync(
            """
            SELECT
                repeat('a', 127), repeat('b', 128), repeat('c', 16383), repeat('d', 16384), '', '€',
                toDecimal64('87012.34', 8), toDecimal64('-0.00000001', 8), toDecimal64('1', 0), toDecimal64('-0.999999999999999999', 18),
                toDateTime64('1969-12-31 23:59:59.999999', 6, 'UTC'), toInt64(-2), toUInt64(300), toUInt8(255),
                CAST('buy' AS Enum8('buy' = 1, 'sell' = 2))
            """,
            null, ClickHouseFormats.RowBinary, static data => data.ToArray(), Ct);

        var k2 = Encode(w =>
        {
            w.WriteString(new string('a', 127));
            w.WriteString(new string('b', 128));
            w.WriteString(new string('c', 16_383));
            w.WriteString(new string('d', 16_384));
            w.WriteString("");
            w.WriteString("€");
            w.WriteDecimal64(87_012.34m, 8);
            w.WriteDecimal64(-0.00000001m, 8);
            w.WriteDecimal64(1m, 0);
            w.WriteDecimal64(-0.999999999999999999m, 18);
            w.WriteDateTime64Micros(new UnixMicros(-1));
            w.WriteInt64(-2);
            w.WriteUInt64(300);
            w.WriteUInt8(255);
            w.WriteEnum8(1);
        });

        k2.ShouldBe(engine);
    }

    [Fact]
    public async Task Several_rows_from_the_engine_decode_to_the_end_of_the_buffer()
    {
        var rows = await fixture.ClickHouse.QueryAsync(
            "SELECT number, toString(number), toDecimal64(number, 8) / 3 FROM system.numbers LIMIT 1000",
            null, ClickHouseFormats.RowBinary,
            static data =>
            {
                var list = new List<(ulong, string, decimal)>();
                var reader = new RowBinaryReader(data);
                while (!reader.End)
                {
                    list.Add((reader.ReadUInt64(), reader.ReadString(), reader.ReadDecimal64(8)));
                }

                return list;
            },
            Ct);

        rows.Count.ShouldBe(1000);
        rows[999].ShouldBe((999UL, "999", 333m));
        rows[1].Item3.ShouldBe(0.33333333m); // ClickHouse truncates decimal division at the scale
        rows.Select(r => r.Item1).ShouldBe(Enumerable.Range(0, 1000).Select(i => (ulong)i));
    }
}
