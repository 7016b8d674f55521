using System.Buffers;
using System.Text;
using K2.Core;
using K2.Core.Candles;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Parquet;

namespace K2.Storage.History;

/// <summary>
/// Streams every row of a history range out of ClickHouse in CSV, NDJSON or Parquet, one window of the range at a time.
/// A single statement over a long range would sort the whole range before its first row (the union is ordered and
/// deduplicated), holding it all in the engine's memory; a window sorts only its own rows, and the windows follow each
/// other in order. Windows are sized by rows, not by time: they are cut at whole UTC hours so that each holds at most
/// <see cref="WindowRows"/> rows (an hour with more is a window of its own), by the per-hour counts taken when the
/// export begins. A busy symbol's day can hold millions of trades, and a window of a day would sort them all at once;
/// a window of rows costs the same memory on any symbol. The counts only size the windows: the windows cover the whole
/// range whatever lands meanwhile. The range is first narrowed to where its rows begin and end, so a wide range does
/// not walk empty hours, and a window reads only the tiers that hold rows of the range there. A row's key and time
/// never change between versions, so deduplicating within a window is deduplicating over the range.
/// <para>
/// The engine reads and writes blocks of 8,192 rows (<see cref="BlockSettings"/>) rather than its default 65,409: a
/// streamed CSV block of trades is then about 1.3 MB instead of 10 MB, and up to three blocks' output are alive at once
/// while the response writes one. With day windows, the first CSV export of 1M cold trades grew a fresh k2 (ingesting
/// the simulator) by about 315 MB with the default blocks and 150 MB with these. Blocks of 4,096 rows saved no more and
/// were slower (900k against 1.09M rows/s).
/// </para>
/// <para>
/// CSV gets its header once, then every window's rows; NDJSON is the windows' lines. For Parquet each window is one
/// file from ClickHouse (its own <c>FORMAT Parquet</c>), joined into one by <see cref="ParquetChunkStitcher"/>: one
/// window's file is in memory at a time. Times are ISO 8601 UTC and decimals are written as text in JSON, as the JSON
/// API writes them.
/// </para>
/// </summary>
/// <param name="client">The store both tiers are read through.</param>
/// <param name="trades">The trade history, which writes a window's statement.</param>
/// <param name="candles">The candle history, which writes a window's statement.</param>
/// <param name="windowRows">The most rows a window holds, unless one hour holds more.</param>
public sealed class HistoryExport(IClickHouseClient client, TradeHistory trades, CandleHistory candles, long windowRows = HistoryExport.WindowRows)
{
    /// <summary>
    /// The most rows a window holds unless one hour holds more: the engine's memory for a window's sort against each
    /// window's fixed cost (about 20 ms of the pipeline and of decoding the cold pages at the window's edges before its
    /// first row). In the api benchmark, before the engine had one allocator arena, a process's first CSV export of 1M
    /// cold trades grew k2 by 108 MB with 131,072 rows and ran at 1.09M rows/s warm; with 65,536 rows it grew 83 MB but
    /// ran at 842k rows/s; with a day's 250,000 it grew 150 MB or more. With one arena, 131,072 rows grow it by 73 MB.
    /// </summary>
    public const long WindowRows = 131_072;

    private const string BlockSettings =
        "max_block_size = 8192, input_format_parquet_max_block_size = 8192, input_format_parquet_prefer_block_bytes = 1048576";

    private const string TextSettings =
        "\nSETTINGS date_time_output_format = 'iso', output_format_json_quote_decimals = 1, output_format_json_quote_64bit_integers = 0, " + BlockSettings;

    /// <summary>
    /// The stitcher joins plain files only: page indexes and bloom filters point outside the footer. Dictionaries stop
    /// at 64 KiB: a window's ids and times are unique, and dictionary-encoded they made the export of 1M trades in
    /// windows of 65,536 rows 18.3 MB rather than 8.3 MB.
    /// </summary>
    private const string ParquetSettings =
        "\nSETTINGS output_format_parquet_write_page_index = 0, output_format_parquet_write_bloom_filter = 0, output_format_parquet_max_dictionary_size = 65536, " + BlockSettings;

    /// <summary>Every trade of one instrument with <paramref name="from"/> &lt;= exchange time &lt; <paramref name="to"/>, oldest first.</summary>
    public async Task WriteTradesAsync(
        HistoryExportFormat format, Exchange exchange, string symbol, UnixMicros from, UnixMicros to, ClickHouseChunkWriter output, CancellationToken cancellationToken)
    {
        var range = new TradeHistoryQuery(exchange, symbol, from, to, ReadDirection.OldestFirst, null, int.MaxValue);
        var bounds = await trades.BoundsAsync(range, cancellationToken);
        await WriteAsync(format, TradeHistory.Columns, Windows(from, to, bounds, windowRows),
            (start, end, token) => trades.SqlAsync(range with { From = start, To = end }, TradeHistory.Columns, bounds, token), output, cancellationToken);
    }

    /// <summary>Every candle of one instrument and timeframe with <paramref name="from"/> &lt;= bucket start &lt; <paramref name="to"/>, at its latest version.</summary>
    public async Task WriteCandlesAsync(
        HistoryExportFormat format, Exchange exchange, string symbol, Timeframe timeframe, UnixMicros from, UnixMicros to,
        ClickHouseChunkWriter output, CancellationToken cancellationToken)
    {
        var range = new CandleHistoryQuery(exchange, symbol, timeframe, from, to, ReadDirection.OldestFirst, null, int.MaxValue);
        var bounds = await candles.BoundsAsync(range, cancellationToken);
        await WriteAsync(format, CandleHistory.Columns, Windows(from, to, bounds, windowRows),
            (start, end, token) => candles.SqlAsync(range with { From = start, To = end }, CandleHistory.Columns, bounds, token), output, cancellationToken);
    }

    private async Task WriteAsync(
        HistoryExportFormat format,
        IReadOnlyList<string> columns,
        IEnumerable<(UnixMicros From, UnixMicros To)> windows,
        Func<UnixMicros, UnixMicros, CancellationToken, Task<HistorySql>> windowSql,
        ClickHouseChunkWriter output,
        CancellationToken cancellationToken)
    {
        var parquet = format == HistoryExportFormat.Parquet ? new ParquetChunkStitcher(output) : null;
        if (format == HistoryExportFormat.Csv)
        {
            await output(Encoding.UTF8.GetBytes(string.Join(',', columns.Select(c => $"\"{c}\"")) + "\n"), cancellationToken);
        }

        foreach (var (start, end) in windows)
        {
            var sql = await windowSql(start, end, cancellationToken);
            if (parquet is not null)
            {
                // Buffered on purpose: one window's file must be whole before it can join the others. The buffer comes
                // from the shared pool, so the windows take turns with one or two large arrays rather than leaving one
                // large-object garbage array each (about 1 MB per 131,072 trades).
                var (file, length) = await client.QueryAsync(sql.Text + ParquetSettings, sql.Parameters, ClickHouseFormats.Parquet, static data =>
                {
                    var pooled = ArrayPool<byte>.Shared.Rent(data.Length);
                    data.CopyTo(pooled);
                    return (pooled, data.Length);
                }, cancellationToken);
                try
                {
                    await parquet.AddAsync(file.AsMemory(0, length), cancellationToken);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(file);
                }
            }
            else
            {
                await client.QueryStreamAsync(
                    sql.Text + TextSettings,
                    sql.Parameters,
                    format == HistoryExportFormat.Csv ? ClickHouseFormats.Csv : ClickHouseFormats.JsonEachRow,
                    output,
                    cancellationToken);
            }
        }

        if (parquet is not null)
        {
            await parquet.CompleteAsync(cancellationToken);
        }
    }

    /// <summary>
    /// [<paramref name="from"/>, <paramref name="to"/>) narrowed to where <paramref name="bounds"/> shows its rows, then
    /// cut at the start of an hour wherever the rows counted since the last cut would otherwise exceed
    /// <paramref name="maxRows"/>; one window when there are no rows (it still yields a document). The windows follow
    /// each other without gap or overlap.
    /// </summary>
    public static IEnumerable<(UnixMicros From, UnixMicros To)> Windows(UnixMicros from, UnixMicros to, TierBounds bounds, long maxRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        if (bounds.All is not { } rows)
        {
            yield return (from, from);
            yield break;
        }

        var start = rows.First > from ? rows.First : from;
        var end = new UnixMicros(Math.Min(to.Value, rows.Last.Value + 1));
        long counted = 0;
        foreach (var hour in bounds.Hours)
        {
            if (counted > 0 && counted + hour.Rows > maxRows)
            {
                yield return (start, hour.Hour);
                (start, counted) = (hour.Hour, 0);
            }

            counted += hour.Rows;
        }

        yield return (start, end);
    }
}
