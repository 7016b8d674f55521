using K2.Core;
using K2.Core.Candles;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;

namespace K2.Storage.History;

/// <summary>
/// Where a range's stored rows begin and end in each tier (a tier without any has null), and how many lie in each hour
/// that holds some, oldest first. A key in both tiers counts twice: the hours size an export's windows, for which an
/// upper bound does.
/// </summary>
public readonly record struct TierBounds(HistoryBounds? Hot, HistoryBounds? Cold)
{
    /// <summary>The hours that hold rows of the range, oldest first, with their rows over both tiers.</summary>
    public IReadOnlyList<HourRows> Hours { get; init; } = [];

    /// <summary>Where the range's rows begin and end over both tiers; null when neither has any.</summary>
    public HistoryBounds? All => Hot is { } hot ? Widen(Cold, hot.First, hot.Last) : Cold;

    /// <summary>Reads the rows of <see cref="TierUnion.Bounds"/>: per tier and hour, the tier's number, first and last time, and row count.</summary>
    internal static async Task<TierBounds> ReadAsync(IClickHouseClient client, string sql, ClickHouseParameters parameters, CancellationToken cancellationToken) =>
        await client.QueryAsync(sql, parameters, ClickHouseFormats.RowBinary, static data =>
        {
            HistoryBounds? hot = null, cold = null;
            var hours = new SortedDictionary<long, long>();
            var reader = new RowBinaryReader(data);
            while (!reader.End)
            {
                var (tier, first, last, rows) = (reader.ReadUInt8(), reader.ReadDateTime64Micros(), reader.ReadDateTime64Micros(), reader.ReadUInt64());
                if (tier == TierUnion.HotTier)
                {
                    hot = Widen(hot, first, last);
                }
                else
                {
                    cold = Widen(cold, first, last);
                }

                var hour = Timeframe.OneHour.BucketStart(first).Value;
                hours[hour] = hours.GetValueOrDefault(hour) + (long)rows;
            }

            return new TierBounds(hot, cold) { Hours = [.. hours.Select(h => new HourRows(new UnixMicros(h.Key), h.Value))] };
        }, cancellationToken);

    /// <summary><paramref name="bounds"/> widened to take in [<paramref name="first"/>, <paramref name="last"/>]; those alone when there are none.</summary>
    private static HistoryBounds Widen(HistoryBounds? bounds, UnixMicros first, UnixMicros last) => bounds is { } known
        ? new HistoryBounds(known.First < first ? known.First : first, known.Last > last ? known.Last : last)
        : new HistoryBounds(first, last);
}
