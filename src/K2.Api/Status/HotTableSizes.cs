using System.Globalization;
using System.Text;
using K2.Storage;
using K2.Storage.ClickHouse;

namespace K2.Api.Status;

/// <summary>
/// Rows, parts and bytes of each hot table, from ClickHouse's <c>system.parts</c> (active parts only): one query over
/// the parts' own metadata, no table data read. Rows of a replacing table count every version not yet merged away, as stored.
/// </summary>
internal sealed class HotTableSizes(IClickHouseClient clickHouse, HotStoreOptions options)
{
    private const string Sql =
        "SELECT table, sum(rows), count(), sum(bytes_on_disk) FROM system.parts " +
        "WHERE database = {database:String} AND active GROUP BY table ORDER BY table";

    public Task<IReadOnlyList<HotTableSize>> ReadAsync(CancellationToken cancellationToken) =>
        clickHouse.QueryAsync(Sql, new ClickHouseParameters().Add("database", options.Database), ClickHouseFormats.TabSeparated, Parse, cancellationToken);

    private static IReadOnlyList<HotTableSize> Parse(ReadOnlySpan<byte> result)
    {
        var sizes = new List<HotTableSize>();
        foreach (var line in Encoding.UTF8.GetString(result).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            sizes.Add(new HotTableSize(fields[0], Number(fields[1]), Number(fields[2]), Number(fields[3])));
        }

        return sizes;
    }

    private static long Number(string text) => long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}

/// <summary>One hot table as stored: rows, active parts and their bytes on disk.</summary>
internal sealed record HotTableSize(string Table, long Rows, long Parts, long BytesOnDisk);
