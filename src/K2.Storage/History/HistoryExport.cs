using System.Text;
using K2.Core;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Parquet;

namespace K2.Storage.History;

/// <summary>
/// Streams every row of a history range out of ClickHouse in CSV, NDJSON or Parquet, one UTC day at a time. A single
/// statement over a long range would sort the whole range before its first row (the union is ordered and deduplicated),
/// holding it all in the engine's memory; a day is what one Iceberg partition holds, so each window's statement sorts one
/// day of one instrument, reads only that partition, and the windows follow each other in order. A row's key and
/// exchange time never change between versions, so deduplicating within a window is deduplicating over the range.
/// <para>
/// CSV gets its header once, then every window's rows; NDJSON is the windows' lines. For Parquet each window is one
/// file from ClickHouse (its own <c>FORMAT Parquet</c>), joined into one by <see cref="ParquetChunkStitcher"/>: one
/// window's file is in memory at a time. Times are ISO 8601 UTC and decimals are written as text in JSON, as the JSON
/// API writes them.
/// </para>
/// </summary>
public sealed class HistoryExport(IClickHouseClient client)
{
    private const string TextSettings =
        "\nSETTINGS date_time_output_format = 'iso', output_format_json_quote_decimals = 1, output_format_json_quote_64bit_integers = 0";

    /// <summary>The stitcher joins plain files only: page indexes and bloom filters point outside the footer.</summary>
    private const string ParquetSettings = "\nSETTINGS output_format_parquet_write_page_index = 0, output_format_parquet_write_bloom_filter = 0";

    private static readonly long DayMicros = TimeSpan.FromDays(1).Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>
    /// Writes the rows of [<paramref name="from"/>, <paramref name="to"/>) to <paramref name="output"/>, asking
    /// <paramref name="windowSql"/> for each day's statement (over that window, every row, in serving order).
    /// </summary>
    public async Task WriteAsync(
        HistoryExportFormat format,
        IReadOnlyList<string> columns,
        UnixMicros from,
        UnixMicros to,
        Func<UnixMicros, UnixMicros, CancellationToken, Task<HistorySql>> windowSql,
        ClickHouseChunkWriter output,
        CancellationToken cancellationToken)
    {
        var parquet = format == HistoryExportFormat.Parquet ? new ParquetChunkStitcher(output) : null;
        if (format == HistoryExportFormat.Csv)
        {
            await output(Encoding.UTF8.GetBytes(string.Join(',', columns.Select(c => $"\"{c}\"")) + "\n"), cancellationToken);
        }

        foreach (var (start, end) in Windows(from, to))
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

    /// <summary>[from, to) cut at UTC midnights (times from 1970 on); one window when the range is empty, so it still yields a document.</summary>
    public static IEnumerable<(UnixMicros From, UnixMicros To)> Windows(UnixMicros from, UnixMicros to)
    {
        if (to <= from)
        {
            yield return (from, to);
            yield break;
        }

        for (var start = from; start < to;)
        {
            var end = new UnixMicros(Math.Min((start.Value / DayMicros * DayMicros) + DayMicros, to.Value));
            yield return (start, end);
            start = end;
        }
    }
}
