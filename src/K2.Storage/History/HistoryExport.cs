using System.Text;
using K2.Core;
using K2.Core.Candles;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Parquet;

namespace K2.Storage.History;

/// <summary>
/// Streams every row of a history range out of ClickHouse in CSV, NDJSON or Parquet, one window of time at a time. A
/// single statement over a long range would sort the whole range before its first row (the union is ordered and
/// deduplicated), holding it all in the engine's memory; a window sorts only its own rows, and the windows follow each
/// other in order. Trades go a UTC day at a time (what one Iceberg partition holds); candles, which are at most 1,440 a
/// day, 30 days at a time for 1m and a year for longer timeframes. The range is first narrowed to where its rows begin
/// and end, so a wide range does not walk empty days, and a window reads only the tiers that hold rows of the range
/// there. A row's key and time never change between versions, so deduplicating within a window is deduplicating over
/// the range.
/// <para>
/// CSV gets its header once, then every window's rows; NDJSON is the windows' lines. For Parquet each window is one
/// file from ClickHouse (its own <c>FORMAT Parquet</c>), joined into one by <see cref="ParquetChunkStitcher"/>: one
/// window's file is in memory at a time. Times are ISO 8601 UTC and decimals are written as text in JSON, as the JSON
/// API writes them.
/// </para>
/// </summary>
public sealed class HistoryExport(IClickHouseClient client, TradeHistory trades, CandleHistory candles)
{
    private const string TextSettings =
        "\nSETTINGS date_time_output_format = 'iso', output_format_json_quote_decimals = 1, output_format_json_quote_64bit_integers = 0";

    /// <summary>The stitcher joins plain files only: page indexes and bloom filters point outside the footer.</summary>
    private const string ParquetSettings = "\nSETTINGS output_format_parquet_write_page_index = 0, output_format_parquet_write_bloom_filter = 0";

    public static readonly TimeSpan TradeWindow = TimeSpan.FromDays(1);

    public static TimeSpan CandleWindow(Timeframe timeframe) => timeframe == Timeframe.OneMinute ? TimeSpan.FromDays(30) : TimeSpan.FromDays(365);

    /// <summary>Every trade of one instrument with <paramref name="from"/> &lt;= exchange time &lt; <paramref name="to"/>, oldest first.</summary>
    public async Task WriteTradesAsync(
        HistoryExportFormat format, Exchange exchange, string symbol, UnixMicros from, UnixMicros to, ClickHouseChunkWriter output, CancellationToken cancellationToken)
    {
        var range = new TradeHistoryQuery(exchange, symbol, from, to, ReadDirection.OldestFirst, null, int.MaxValue);
        var bounds = await trades.BoundsAsync(range, cancellationToken);
        await WriteAsync(format, TradeHistory.Columns, Narrow(from, to, bounds.All), TradeWindow,
            (start, end, token) => trades.SqlAsync(range with { From = start, To = end }, TradeHistory.Columns, bounds, token), output, cancellationToken);
    }

    /// <summary>Every candle of one instrument and timeframe with <paramref name="from"/> &lt;= bucket start &lt; <paramref name="to"/>, at its latest version.</summary>
    public async Task WriteCandlesAsync(
        HistoryExportFormat format, Exchange exchange, string symbol, Timeframe timeframe, UnixMicros from, UnixMicros to,
        ClickHouseChunkWriter output, CancellationToken cancellationToken)
    {
        var range = new CandleHistoryQuery(exchange, symbol, timeframe, from, to, ReadDirection.OldestFirst, null, int.MaxValue);
        var bounds = await candles.BoundsAsync(range, cancellationToken);
        await WriteAsync(format, CandleHistory.Columns, Narrow(from, to, bounds.All), CandleWindow(timeframe),
            (start, end, token) => candles.SqlAsync(range with { From = start, To = end }, CandleHistory.Columns, bounds, token), output, cancellationToken);
    }

    private async Task WriteAsync(
        HistoryExportFormat format,
        IReadOnlyList<string> columns,
        (UnixMicros From, UnixMicros To) range,
        TimeSpan window,
        Func<UnixMicros, UnixMicros, CancellationToken, Task<HistorySql>> windowSql,
        ClickHouseChunkWriter output,
        CancellationToken cancellationToken)
    {
        var parquet = format == HistoryExportFormat.Parquet ? new ParquetChunkStitcher(output) : null;
        if (format == HistoryExportFormat.Csv)
        {
            await output(Encoding.UTF8.GetBytes(string.Join(',', columns.Select(c => $"\"{c}\"")) + "\n"), cancellationToken);
        }

        foreach (var (start, end) in Windows(range.From, range.To, window))
        {
            var sql = await windowSql(start, end, cancellationToken);
            if (parquet is not null)
            {
                // Buffered on purpose: one window's file must be whole before it can join the others.
                var file = await client.QueryAsync(sql.Text + ParquetSettings, sql.Parameters, ClickHouseFormats.Parquet, static data => data.ToArray(), cancellationToken);
                await parquet.AddAsync(file, cancellationToken);
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

    /// <summary>[from, to) cut to where its rows are; an empty range when there are none (it still yields a document).</summary>
    private static (UnixMicros From, UnixMicros To) Narrow(UnixMicros from, UnixMicros to, HistoryBounds? bounds) =>
        bounds is { } rows
            ? (rows.First > from ? rows.First : from, new UnixMicros(Math.Min(to.Value, rows.Last.Value + 1)))
            : (from, from);

    /// <summary>
    /// [from, to) cut at multiples of <paramref name="window"/> since the epoch (UTC midnights for a day; times from
    /// 1970 on); one window when the range is empty.
    /// </summary>
    public static IEnumerable<(UnixMicros From, UnixMicros To)> Windows(UnixMicros from, UnixMicros to, TimeSpan window)
    {
        if (to <= from)
        {
            yield return (from, to);
            yield break;
        }

        var length = window.Ticks / TimeSpan.TicksPerMicrosecond;
        for (var start = from; start < to;)
        {
            var end = new UnixMicros(Math.Min((start.Value / length * length) + length, to.Value));
            yield return (start, end);
            start = end;
        }
    }
}
